using System.Globalization;
using System.Text;

namespace Memic.Infra.Tests.Arm;

/// <summary>A parsed ARM template expression (the text between the outer brackets of "[...]").</summary>
internal abstract record ArmExpression
{
    public static ArmExpression Parse(string text)
    {
        var parser = new Parser(text);
        var expression = parser.ParseExpression();
        parser.ExpectEnd();
        return expression;
    }

    /// <summary>True when a template string is an expression rather than a literal.</summary>
    public static bool IsExpression(string value) =>
        value.Length >= 2 && value[0] == '[' && value[^1] == ']' && !value.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>The literal a template string stands for ("[[x]" escapes a leading bracket).</summary>
    public static string Unescape(string value) =>
        value.StartsWith("[[", StringComparison.Ordinal) ? value[1..] : value;

    private sealed class Parser(string text)
    {
        private int _position;

        public ArmExpression ParseExpression()
        {
            var expression = ParsePrimary();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('.'))
                {
                    expression = new MemberAccess(expression, ReadIdentifier());
                }
                else if (TryConsume('['))
                {
                    var index = ParseExpression();
                    Expect(']');
                    expression = new IndexAccess(expression, index);
                }
                else
                {
                    return expression;
                }
            }
        }

        public void ExpectEnd()
        {
            SkipWhitespace();
            if (_position != text.Length)
            {
                throw Error("unexpected text");
            }
        }

        private ArmExpression ParsePrimary()
        {
            SkipWhitespace();
            if (_position >= text.Length)
            {
                throw Error("unexpected end");
            }

            var c = text[_position];
            if (c == '\'')
            {
                return new Literal(ReadString());
            }

            if (char.IsDigit(c) || c == '-')
            {
                return new Literal(ReadNumber());
            }

            var name = ReadIdentifier();
            SkipWhitespace();
            Expect('(');
            var arguments = new List<ArmExpression>();
            SkipWhitespace();
            if (!TryConsume(')'))
            {
                do
                {
                    arguments.Add(ParseExpression());
                    SkipWhitespace();
                }
                while (TryConsume(','));
                Expect(')');
            }

            return new Call(name, arguments);
        }

        private string ReadString()
        {
            Expect('\'');
            var builder = new StringBuilder();
            while (true)
            {
                if (_position >= text.Length)
                {
                    throw Error("unterminated string");
                }

                var c = text[_position++];
                if (c != '\'')
                {
                    builder.Append(c);
                }
                else if (_position < text.Length && text[_position] == '\'')
                {
                    builder.Append('\'');
                    _position++;
                }
                else
                {
                    return builder.ToString();
                }
            }
        }

        private long ReadNumber()
        {
            var start = _position;
            if (text[_position] == '-')
            {
                _position++;
            }

            while (_position < text.Length && char.IsDigit(text[_position]))
            {
                _position++;
            }

            return long.Parse(text.AsSpan(start, _position - start), CultureInfo.InvariantCulture);
        }

        private string ReadIdentifier()
        {
            SkipWhitespace();
            var start = _position;
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] is '_' or '$'))
            {
                _position++;
            }

            return _position > start ? text[start.._position] : throw Error("identifier expected");
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private bool TryConsume(char c)
        {
            SkipWhitespace();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error($"'{c}' expected");
            }
        }

        private FormatException Error(string what) =>
            new($"Cannot parse ARM expression at {_position} ({what}): {text}");
    }
}

internal sealed record Literal(object Value) : ArmExpression;

internal sealed record Call(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression;

internal sealed record MemberAccess(ArmExpression Target, string Member) : ArmExpression;

internal sealed record IndexAccess(ArmExpression Target, ArmExpression Index) : ArmExpression;
