namespace Memic.Embedded.Search.Internals;

/// <summary>The schema of an environment's <c>index.db</c>; never edit a shipped step, append a new one.</summary>
internal static class IndexSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE index_info (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            model_id    TEXT NOT NULL,
            dimensions  INTEGER NOT NULL,
            generation  INTEGER NOT NULL DEFAULT 0,
            created_at  TEXT NOT NULL
        );

        -- AUTOINCREMENT: a row id is never reused, so a vector cache a write ahead or behind can miss rows but never
        -- mistake a new chunk for an old one.
        CREATE TABLE chunks (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            chunk_id      TEXT NOT NULL UNIQUE,
            file_id       TEXT NOT NULL,
            folder_id     TEXT NOT NULL,
            chunk_index   INTEGER NOT NULL,
            content       TEXT NOT NULL,
            page_number   INTEGER NOT NULL,
            start_page    INTEGER NOT NULL,
            end_page      INTEGER NOT NULL,
            token_count   INTEGER NOT NULL,
            heading_path  TEXT NOT NULL,
            file_name     TEXT NOT NULL,
            mime_type     TEXT NOT NULL,
            reference_id  TEXT,
            category      TEXT,
            document_type TEXT,
            metadata      TEXT NOT NULL
        );
        CREATE INDEX ix_chunks_file ON chunks (file_id, chunk_index);

        CREATE TABLE chunk_vectors (
            id      INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
            vector  BLOB NOT NULL
        );

        CREATE VIRTUAL TABLE chunks_fts USING fts5 (
            content, heading, file_name,
            content = '', contentless_delete = 1,
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        """,
        """
        -- Per-term document counts, read to leave very common words out of the full-text side of a query.
        CREATE VIRTUAL TABLE chunks_fts_terms USING fts5vocab (chunks_fts, 'row');
        """,
    ];
}
