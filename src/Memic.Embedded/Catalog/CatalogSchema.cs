namespace Memic.Embedded.Catalog;

/// <summary>The catalog's schema, one migration per element; never edit a shipped step, append a new one.</summary>
internal static class CatalogSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE organizations (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            is_default  INTEGER UNIQUE CHECK (is_default = 1),
            created_at  TEXT NOT NULL
        );

        CREATE TABLE projects (
            id              TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations (id),
            name            TEXT NOT NULL,
            is_active       INTEGER NOT NULL,
            is_default      INTEGER UNIQUE CHECK (is_default = 1),
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE INDEX ix_projects_organization ON projects (organization_id);

        CREATE TABLE environments (
            id              TEXT PRIMARY KEY,
            project_id      TEXT NOT NULL REFERENCES projects (id),
            organization_id TEXT NOT NULL REFERENCES organizations (id),
            slug            TEXT NOT NULL,
            name            TEXT NOT NULL,
            status          TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            UNIQUE (project_id, slug)
        );

        CREATE TABLE folders (
            id              TEXT PRIMARY KEY,
            environment_id  TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
            name            TEXT NOT NULL,
            is_default      INTEGER NOT NULL,
            created_at      TEXT NOT NULL,
            UNIQUE (environment_id, name)
        );

        -- Admin keys have no environment. key_hash is the SHA-256 needed to revoke the key from the key store.
        CREATE TABLE api_keys (
            id              TEXT PRIMARY KEY,
            environment_id  TEXT REFERENCES environments (id) ON DELETE CASCADE,
            scope           TEXT NOT NULL,
            name            TEXT NOT NULL,
            prefix          TEXT NOT NULL,
            key_hash        BLOB NOT NULL UNIQUE,
            created_at      TEXT NOT NULL,
            last_used_at    TEXT
        );
        CREATE INDEX ix_api_keys_environment ON api_keys (environment_id);

        CREATE TABLE host_settings (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ];
}
