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
        """
        CREATE TABLE files (
            id                  TEXT PRIMARY KEY,
            environment_id      TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
            folder_id           TEXT NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
            name                TEXT NOT NULL,
            original_filename   TEXT NOT NULL,
            size                INTEGER NOT NULL,
            mime_type           TEXT NOT NULL,
            status              TEXT NOT NULL,
            error_message       TEXT,
            reference_id        TEXT,
            metadata            TEXT,
            total_chunks        INTEGER NOT NULL DEFAULT 0,
            total_embeddings    INTEGER NOT NULL DEFAULT 0,
            embedding_dimension INTEGER,
            page_count          INTEGER,
            content_hash        TEXT,
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL
        );
        CREATE INDEX ix_files_environment_created ON files (environment_id, created_at DESC, id);
        CREATE INDEX ix_files_folder ON files (environment_id, folder_id);
        CREATE INDEX ix_files_status ON files (status);

        CREATE TABLE usage_daily (
            environment_id   TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
            day              TEXT NOT NULL,
            requests         INTEGER NOT NULL DEFAULT 0,
            searches         INTEGER NOT NULL DEFAULT 0,
            chats            INTEGER NOT NULL DEFAULT 0,
            files            INTEGER NOT NULL DEFAULT 0,
            bytes            INTEGER NOT NULL DEFAULT 0,
            pages            INTEGER NOT NULL DEFAULT 0,
            chunks           INTEGER NOT NULL DEFAULT 0,
            embedding_tokens INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (environment_id, day)
        );
        """,
        """
        CREATE TABLE prompt_versions (
            environment_id  TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
            name            TEXT NOT NULL,
            version_number  INTEGER NOT NULL CHECK (version_number >= 1),
            body            TEXT NOT NULL,
            is_live         INTEGER NOT NULL CHECK (is_live IN (0, 1)),
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            UNIQUE (environment_id, name, version_number)
        );
        -- At most one live version per name.
        CREATE UNIQUE INDEX ux_prompt_versions_live ON prompt_versions (environment_id, name) WHERE is_live = 1;
        """,
        """
        -- The search service each environment's index is on (SearchServicePool); NULL until placed. Counting these rows
        -- is the service's occupancy, so a placement is one row write and removing the environment frees its slot.
        ALTER TABLE environments ADD COLUMN search_service TEXT;
        CREATE INDEX ix_environments_search_service ON environments (search_service) WHERE search_service IS NOT NULL;

        -- Search services the pool deployed at run time (configured ones live in settings).
        CREATE TABLE search_services (
            name            TEXT PRIMARY KEY,
            endpoint        TEXT NOT NULL,
            index_capacity  INTEGER NOT NULL CHECK (index_capacity > 0),
            search_units    INTEGER NOT NULL CHECK (search_units > 0),
            added_at        TEXT NOT NULL
        );
        """,
        """
        -- Ingestion runs started on the file, counted before each starts: a file whose runs keep killing the process fails
        -- after Memic:Ingestion:MaxAttempts instead of being resumed forever.
        ALTER TABLE files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        """,
        """
        -- Search placements are the Azure search pool's (Memic.Azure), kept by the Azure Table catalog: nothing here uses them.
        DROP INDEX ix_environments_search_service;
        ALTER TABLE environments DROP COLUMN search_service;
        DROP TABLE search_services;
        """,
        """
        -- Connectors (CONTRACT §14). The connection string is not here: it is encrypted at rest beside the catalog (DataProtectedConnectorSecrets).
        CREATE TABLE connectors (
            id              TEXT PRIMARY KEY,
            environment_id  TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
            name            TEXT NOT NULL,
            kind            TEXT NOT NULL,
            description     TEXT,
            status          TEXT NOT NULL,
            error           TEXT,
            allow_list      TEXT,
            tables          TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            refreshed_at    TEXT NOT NULL
        );
        CREATE INDEX ix_connectors_environment ON connectors (environment_id, created_at);
        """,
        """
        -- When an environment expires (CONTRACT §16); NULL = never. The sweeper reads the expired ones.
        ALTER TABLE environments ADD COLUMN expires_at TEXT;
        CREATE INDEX ix_environments_expires_at ON environments (expires_at) WHERE expires_at IS NOT NULL;
        """,
        """
        -- Dashboard users (CONTRACT §15). Emails are normalized and unique across organizations: sign-in names only one.
        CREATE TABLE users (
            id              TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations (id),
            email           TEXT NOT NULL UNIQUE,
            role            TEXT NOT NULL,
            password_hash   TEXT NOT NULL,
            created_at      TEXT NOT NULL
        );
        CREATE INDEX ix_users_organization ON users (organization_id);

        -- Sessions by the SHA-256 of their cookie's token; they end with their user.
        CREATE TABLE user_sessions (
            token_hash      BLOB PRIMARY KEY,
            user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created_at      TEXT NOT NULL,
            last_seen_at    TEXT NOT NULL,
            expires_at      TEXT NOT NULL
        );
        CREATE INDEX ix_user_sessions_user ON user_sessions (user_id);

        -- Failed sign-ins of the last minutes, per email, for the lockout.
        CREATE TABLE login_failures (
            email   TEXT NOT NULL,
            at      TEXT NOT NULL
        );
        CREATE INDEX ix_login_failures_email_at ON login_failures (email, at);
        """,
        """
        -- Usage per environment, hour and instance: each instance stores its running totals (never deltas), so a retried
        -- write cannot count twice and a crash loses only that instance's last few seconds (UsageMeter).
        CREATE TABLE usage_hourly (
            environment_id   TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
            hour             TEXT NOT NULL,
            instance_id      TEXT NOT NULL,
            requests         INTEGER NOT NULL DEFAULT 0,
            searches         INTEGER NOT NULL DEFAULT 0,
            chats            INTEGER NOT NULL DEFAULT 0,
            files            INTEGER NOT NULL DEFAULT 0,
            bytes            INTEGER NOT NULL DEFAULT 0,
            pages            INTEGER NOT NULL DEFAULT 0,
            chunks           INTEGER NOT NULL DEFAULT 0,
            embedding_tokens INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (environment_id, hour, instance_id)
        );
        -- Days counted before hours existed become their day's first hour.
        INSERT INTO usage_hourly (environment_id, hour, instance_id, requests, searches, chats, files, bytes, pages, chunks, embedding_tokens)
        SELECT environment_id, day || 'T00', '00000000-0000-0000-0000-000000000000', requests, searches, chats, files, bytes, pages, chunks, embedding_tokens
        FROM usage_daily;
        DROP TABLE usage_daily;
        """,
        """
        -- Quotas of an environment (CONTRACT §17); NULL is unlimited, and no row at all is unlimited everywhere.
        CREATE TABLE environment_quotas (
            environment_id               TEXT PRIMARY KEY REFERENCES environments (id) ON DELETE CASCADE,
            max_files                    INTEGER,
            max_storage_bytes            INTEGER,
            max_monthly_searches         INTEGER,
            max_monthly_chats            INTEGER,
            max_monthly_embedding_tokens INTEGER
        );
        """,
    ];
}
