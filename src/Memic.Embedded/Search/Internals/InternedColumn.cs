namespace Memic.Embedded.Search.Internals;

/// <summary>
/// One filterable attribute of a segment's rows, dictionary-encoded: each row holds the id of its value (or -1 for
/// none), so a filter is decided once per distinct value and then costs one array read per row.
/// </summary>
internal sealed class InternedColumn<T>
    where T : notnull
{
    private readonly Dictionary<T, int> _lookup;

    public InternedColumn(int[] ids, List<T> values, Dictionary<T, int> lookup)
    {
        Ids = ids;
        Values = values;
        _lookup = lookup;
    }

    /// <summary>Per row: the index into <see cref="Values"/>, or -1 when the row has no value.</summary>
    public int[] Ids { get; }

    public IReadOnlyList<T> Values { get; }

    public bool TryGetId(T value, out int id) => _lookup.TryGetValue(value, out id);

    /// <summary>Which value ids are among <paramref name="wanted"/>.</summary>
    public bool[] Allow(IEnumerable<T> wanted)
    {
        var allowed = new bool[Values.Count];
        foreach (var value in wanted)
        {
            if (_lookup.TryGetValue(value, out var id))
            {
                allowed[id] = true;
            }
        }

        return allowed;
    }

    /// <summary>Which value ids satisfy <paramref name="predicate"/> (given the id and its value).</summary>
    public bool[] AllowWhere(Func<int, T, bool> predicate)
    {
        var allowed = new bool[Values.Count];
        for (var id = 0; id < allowed.Length; id++)
        {
            allowed[id] = predicate(id, Values[id]);
        }

        return allowed;
    }

    public T? ValueAt(int row)
    {
        var id = Ids[row];
        return id < 0 ? default : Values[id];
    }
}

/// <summary>Builds an <see cref="InternedColumn{T}"/> row by row.</summary>
internal sealed class InternedColumnBuilder<T>(int capacity)
    where T : notnull
{
    private readonly int[] _ids = new int[capacity];
    private readonly List<T> _values = [];
    private readonly Dictionary<T, int> _lookup = [];

    /// <summary>Sets a row's value and says whether the value is new to this column.</summary>
    public bool Set(int row, T? value)
    {
        if (value is null)
        {
            _ids[row] = -1;
            return false;
        }

        if (_lookup.TryGetValue(value, out var id))
        {
            _ids[row] = id;
            return false;
        }

        id = _values.Count;
        _values.Add(value);
        _lookup.Add(value, id);
        _ids[row] = id;
        return true;
    }

    /// <summary>The column over the first <paramref name="count"/> rows.</summary>
    public InternedColumn<T> Build(int count) =>
        new(count == _ids.Length ? _ids : _ids[..count], _values, _lookup);
}
