using Memic.Core.Connectors;

namespace Memic.Connectors.PostgreSql.Internals;

/// <summary>
/// The first of the checks a generated query passes before it runs: exactly one statement, a SELECT or WITH, with no
/// words that write, lock, change settings or run other SQL, and no function known to touch files, other sessions or
/// other servers. It reads the text as PostgreSQL lexes it (strings, quoted identifiers, dollar quotes, comments), so
/// hiding a word in one does not pass. The database is the last word: the query then runs in a read-only transaction,
/// and its plan must touch only allow-listed tables.
/// </summary>
internal static class SqlGuard
{
    public const int MaxLength = 20_000;

    /// <summary>Statement words; a column that happens to be named so can still be used quoted (<c>"lock"</c>).</summary>
    private static readonly HashSet<string> ForbiddenWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "insert", "update", "delete", "merge", "upsert", "drop", "create", "alter", "truncate", "grant", "revoke", "copy", "call", "do",
        "execute", "prepare", "deallocate", "lock", "vacuum", "analyze", "analyse", "cluster", "reindex", "refresh", "listen", "notify",
        "unlisten", "set", "reset", "begin", "commit", "rollback", "savepoint", "discard", "checkpoint", "into",
    };

    /// <summary>Functions with effects a read-only transaction does not stop (files, other sessions, other servers, settings) or that run SQL text.</summary>
    private static readonly string[] ForbiddenFunctionPrefixes =
    [
        "pg_read_", "pg_ls_", "pg_stat_file", "pg_file_", "pg_sleep", "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf",
        "pg_rotate_logfile", "pg_switch_", "pg_promote", "pg_create_", "pg_drop_", "pg_advisory", "pg_try_advisory", "pg_notify",
        "pg_logical_", "pg_replication_", "pg_stat_reset", "pg_backup_", "pg_start_backup", "pg_stop_backup", "pg_export_snapshot",
        "pg_import_", "pg_current_logfile", "pg_log_backend", "pg_wal_replay", "lo_", "dblink", "set_config", "nextval", "setval",
        "currval", "txid_current", "pg_current_xact", "ts_stat", "ts_rewrite", "query_to_", "cursor_to_", "table_to_", "schema_to_",
        "database_to_", "pg_execute", "pg_truncate", "pg_xact",
    ];

    /// <summary>The query without trailing semicolons, or a <see cref="StructuredQueryException"/> saying why it was refused.</summary>
    public static string Check(string sql)
    {
        if (sql.Length > MaxLength)
        {
            throw Refused($"the query is longer than {MaxLength} characters");
        }

        var tokens = Tokenize(sql);
        while (tokens.Count > 0 && tokens[^1].Kind == TokenKind.Semicolon)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        if (tokens.Count == 0)
        {
            throw Refused("the query is empty");
        }

        if (tokens.Any(t => t.Kind == TokenKind.Semicolon))
        {
            throw Refused("it holds more than one statement");
        }

        var first = tokens[0];
        if (first.Kind != TokenKind.Word || !(first.Text.Equals("select", StringComparison.OrdinalIgnoreCase) || first.Text.Equals("with", StringComparison.OrdinalIgnoreCase)))
        {
            throw Refused("only one SELECT or WITH query may run");
        }

        foreach (var token in tokens)
        {
            if (token.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier))
            {
                continue;
            }

            var word = token.Text.ToLowerInvariant();
            if (token.Kind == TokenKind.Word && ForbiddenWords.Contains(word))
            {
                throw Refused($"it uses '{word.ToUpperInvariant()}', which a read-only query has no use for");
            }

            if (ForbiddenFunctionPrefixes.FirstOrDefault(p => word.StartsWith(p, StringComparison.Ordinal)) is not null)
            {
                throw Refused($"it uses '{word}', which is not allowed");
            }
        }

        var end = tokens[^1];
        return sql[first.Start..(end.Start + end.Length)];
    }

    private static StructuredQueryException Refused(string why) => new($"The generated query was refused: {why}.");

    internal enum TokenKind
    {
        Word,
        QuotedIdentifier,
        Literal,
        Semicolon,
        Other,
    }

    internal readonly record struct Token(TokenKind Kind, string Text, int Start, int Length);

    /// <summary>PostgreSQL's lexical structure, as far as telling words from quoted text and comments needs.</summary>
    internal static List<Token> Tokenize(string sql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var start = i;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                // Block comments nest in PostgreSQL.
                var depth = 0;
                do
                {
                    if (sql[i] == '/' && At(sql, i + 1) == '*')
                    {
                        depth++;
                        i += 2;
                    }
                    else if (sql[i] == '*' && At(sql, i + 1) == '/')
                    {
                        depth--;
                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                }
                while (depth > 0 && i < sql.Length);

                if (depth > 0)
                {
                    throw Refused("a comment is not closed");
                }
            }
            else if (c == '\'')
            {
                i = SkipQuoted(sql, i, '\'', backslashEscapes: start > 0 && (sql[start - 1] is 'e' or 'E'));
                tokens.Add(new(TokenKind.Literal, "", start, i - start));
            }
            else if (c == '"')
            {
                i = SkipQuoted(sql, i, '"', backslashEscapes: false);
                tokens.Add(new(TokenKind.QuotedIdentifier, sql[(start + 1)..(i - 1)].Replace("\"\"", "\"", StringComparison.Ordinal), start, i - start));
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw Refused("a dollar-quoted string is not closed");
                }

                i = close + tag.Length;
                tokens.Add(new(TokenKind.Literal, "", start, i - start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                var word = sql[start..i];
                if (At(sql, i) == '&' && (word is "u" or "U"))
                {
                    // U&"..." and U&'...' spell names and text with escapes, which would hide a word from this check.
                    throw Refused("Unicode-escaped names are not allowed");
                }

                // E'...' and B'...' / X'...' strings start right after their prefix letter.
                if (At(sql, i) == '\'' && word.Length == 1)
                {
                    continue;
                }

                tokens.Add(new(TokenKind.Word, word, start, i - start));
            }
            else if (c == ';')
            {
                i++;
                tokens.Add(new(TokenKind.Semicolon, ";", start, 1));
            }
            else
            {
                i++;
                tokens.Add(new(TokenKind.Other, c.ToString(), start, 1));
            }
        }

        return tokens;
    }

    private static char At(string sql, int i) => i < sql.Length ? sql[i] : '\0';

    private static int SkipQuoted(string sql, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (sql[i] == quote)
            {
                if (At(sql, i + 1) == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        throw Refused("a quoted string or name is not closed");
    }

    /// <summary>The opening <c>$tag$</c> at <paramref name="i"/>, or null when the dollar sign is something else (e.g. <c>$1</c>).</summary>
    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_'))
        {
            j++;
        }

        if (j >= sql.Length || sql[j] != '$')
        {
            return null;
        }

        var tag = sql[i..(j + 1)];
        return tag.Length > 2 && char.IsDigit(tag[1]) ? null : tag;
    }
}
