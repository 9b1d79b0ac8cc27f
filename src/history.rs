//! Trainees' history on one PC: profiles and every finished session, in an embedded SQLite
//! database (compiled in, no system library).
//!
//! Nothing is lost: each save is one transaction in WAL mode, so a process killed at any
//! moment leaves every committed session in place and the database consistent. A file that is
//! not a Rapport history or fails SQLite's integrity check is set aside (renamed, never
//! deleted) and a fresh one started, with a message; a database written by a newer Rapport
//! is refused without being touched. The schema has a version (`PRAGMA user_version`) and
//! migrations from every earlier one.

use crate::vocabulary::{Category, Personality, Stage};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The schema this Rapport writes; `MIGRATIONS[v]` takes a database from version `v` to `v + 1`.
pub const SCHEMA_VERSION: i32 = 3;
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [
    "
    CREATE TABLE profile (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE session (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
        scenario_id TEXT NOT NULL,
        scenario_hash TEXT NOT NULL,
        locale TEXT NOT NULL,
        personality TEXT NOT NULL,
        category TEXT,
        seed INTEGER NOT NULL,
        choices TEXT NOT NULL,
        mode TEXT NOT NULL,
        score INTEGER NOT NULL,
        report TEXT NOT NULL,
        finished_at INTEGER NOT NULL
    );
    CREATE INDEX session_by_profile ON session(profile_id, finished_at);
",
    // 2: accounts (one row per account a trainee follows, resumed from its seed and choices),
    // sessions belonging to an account step, and each session's techniques for the progress
    // screen (sessions saved before version 2 have none).
    "
    CREATE TABLE account_run (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        locale TEXT NOT NULL,
        title TEXT NOT NULL,
        seed INTEGER NOT NULL,
        steps TEXT NOT NULL,
        stage TEXT NOT NULL,
        trust INTEGER NOT NULL,
        score INTEGER NOT NULL,
        report TEXT NOT NULL,
        finished INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX account_run_by_profile ON account_run(profile_id, account_id, updated_at);
    ALTER TABLE session ADD COLUMN account_run_id INTEGER REFERENCES account_run(id) ON DELETE SET NULL;
    CREATE TABLE technique_use (
        session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
        technique TEXT NOT NULL,
        personality TEXT NOT NULL,
        uses INTEGER NOT NULL,
        trust INTEGER NOT NULL,
        mistake INTEGER NOT NULL
    );
    CREATE INDEX technique_use_by_session ON technique_use(session_id);
    ALTER TABLE session ADD COLUMN trust_end INTEGER;
    ALTER TABLE session ADD COLUMN duration_s INTEGER;
    UPDATE session SET trust_end = json_extract(report, '$.trust_end')
        WHERE json_valid(report);
",
    // 3: the outbox of xAPI statements waiting for the organisation's learning record store.
    // A statement is queued once (its id is derived from what it reports) and kept after it
    // is sent, so that a statement is never queued or sent again.
    "
    CREATE TABLE xapi_outbox (
        statement_id TEXT PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        statement TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at INTEGER,
        rejected TEXT
    );
    CREATE INDEX xapi_outbox_waiting ON xapi_outbox(sent_at, rejected, next_try_at);
",
];

/// The file's first bytes when it is an SQLite database.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "{path}: this history was written by a newer Rapport (schema {found}; this one knows up to {supported}); it is left untouched — update Rapport to use it"
    )]
    NewerVersion {
        path: String,
        found: i32,
        supported: i32,
    },
    #[error("{0}")]
    Io(String),
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("no trainee profile named `{0}`")]
    UnknownProfile(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: i64,
    pub name: String,
}

/// A finished session as it is saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub scenario_id: String,
    /// A hash of the scenario's content: a score means little once the file has changed.
    pub scenario_hash: String,
    pub locale: String,
    pub personality: Personality,
    /// The central objection's category, for the personality × objection map.
    pub category: Option<Category>,
    pub seed: u64,
    /// The 1-based choice numbers as the trainee saw them.
    pub choices: Vec<usize>,
    /// `practice`, `assessment` or `cli`.
    pub mode: String,
    pub score: u32,
    /// The report as JSON (`scoring::Report`).
    pub report: String,
    /// Seconds since 1970.
    pub finished_at: i64,
    /// Each technique used, with the customer's personality and its effect on trust.
    #[serde(default)]
    pub techniques: Vec<TechniqueUse>,
    /// How long the trainee took, in seconds, when the shell measured it (the engine never
    /// reads the clock).
    #[serde(default)]
    pub duration_secs: Option<u32>,
}

/// How a technique landed: summed over a session, or over a trainee's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechniqueUse {
    pub technique: String,
    pub personality: Personality,
    pub uses: u32,
    /// The trust it gained (or lost) in total.
    pub trust: i32,
    /// A mistake a real salesperson makes (the model's `kind: mistake`).
    pub mistake: bool,
}

/// An account's state as the history keeps it: the seed and every step's choices are enough
/// to rebuild it (`AccountRun::replay`); the rest is for listing without replaying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub account_id: String,
    pub locale: String,
    pub title: String,
    pub seed: u64,
    pub steps: Vec<Vec<usize>>,
    pub stage: Stage,
    pub trust: i32,
    pub score: u32,
    /// The account report as JSON (`account::AccountReport`).
    pub report: String,
    pub finished: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedAccount {
    pub id: i64,
    pub started_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub record: AccountRecord,
}

/// The record of an account's state after a step.
pub fn account_record(run: &crate::account::AccountRun) -> AccountRecord {
    let report = run.report();
    AccountRecord {
        account_id: run.account().id().to_string(),
        locale: run.account().locale().code().to_string(),
        title: run.account().file.title.clone(),
        seed: run.seed(),
        steps: run.choices(),
        stage: report.stage,
        trust: report.trust,
        score: report.score.total,
        report: serde_json::to_string(&report).unwrap_or_default(),
        finished: report.finished,
    }
}

/// A saved session with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub id: i64,
    pub profile: String,
    /// The account it was a step of, if any.
    #[serde(default)]
    pub account: Option<String>,
    #[serde(flatten)]
    pub record: SessionRecord,
}

/// A statement in the outbox: its id, what it reports (`session:<id>` or `account:<id>`) and
/// its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub statement_id: String,
    pub source: String,
    pub statement: String,
}

/// How many statements wait, were sent or were refused, and the last error, for the app's
/// sync status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStatus {
    pub waiting: i64,
    pub sent: i64,
    pub rejected: i64,
    pub last_sent_at: Option<i64>,
    pub last_error: Option<String>,
    pub next_try_at: Option<i64>,
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Where the history lives: `$RAPPORT_DATA_DIR/history.sqlite3`, else the user's data
    /// directory.
    pub fn default_path() -> Option<PathBuf> {
        std::env::var_os("RAPPORT_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                directories::ProjectDirs::from("org", "Rapport", "Rapport")
                    .map(|d| d.data_dir().to_path_buf())
            })
            .map(|d| d.join("history.sqlite3"))
    }

    /// Opens (or creates) the history at `path`. The message, when there is one, says that an
    /// unusable file was set aside and where it went.
    pub fn open(path: &Path) -> Result<(History, Option<String>), HistoryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| HistoryError::Io(format!("{}: {e}", dir.display())))?;
        }
        let mut notice = None;
        if path.exists() {
            match History::open_existing(path) {
                Ok(history) => return Ok((history, None)),
                Err(Unusable::Newer(e)) => return Err(e),
                Err(Unusable::Damaged(why)) => notice = Some(set_aside(path, &why)?),
            }
        }
        let history = History::connect(path)?;
        Ok((history, notice))
    }

    fn open_existing(path: &Path) -> Result<History, Unusable> {
        let mut head = [0u8; 16];
        let read = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .map_err(|e| Unusable::Damaged(format!("cannot be read: {e}")))?;
        // An empty file is a new database to SQLite; anything else must start with its header.
        if read > 0 && (read < SQLITE_HEADER.len() || head[..] != SQLITE_HEADER[..]) {
            return Err(Unusable::Damaged("is not an SQLite database".into()));
        }
        let conn = Connection::open(path).map_err(|e| Unusable::Damaged(e.to_string()))?;
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| Unusable::Damaged(e.to_string()))?;
        if version > SCHEMA_VERSION {
            return Err(Unusable::Newer(HistoryError::NewerVersion {
                path: path.display().to_string(),
                found: version,
                supported: SCHEMA_VERSION,
            }));
        }
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| Unusable::Damaged(e.to_string()))?;
        if check != "ok" {
            return Err(Unusable::Damaged(format!(
                "fails its integrity check ({check})"
            )));
        }
        drop(conn);
        History::connect(path).map_err(|e| Unusable::Damaged(e.to_string()))
    }

    /// Connects with the settings every connection needs, then migrates to this schema.
    fn connect(path: &Path) -> Result<History, HistoryError> {
        let mut conn = Connection::open(path)?;
        // Two copies of the app on one classroom PC wait for each other instead of failing.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(HistoryError::NewerVersion {
                path: path.display().to_string(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        for (v, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", v as i32 + 1)?;
        }
        tx.commit()?;
        Ok(History {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn profiles(&self) -> Result<Vec<Profile>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name FROM profile ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(Profile {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn profile(&self, name: &str) -> Result<Option<Profile>, HistoryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name FROM profile WHERE name = ?1",
                [name.trim()],
                |r| {
                    Ok(Profile {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// The profile named `name`, created if it does not exist yet.
    pub fn profile_or_create(&self, name: &str) -> Result<Profile, HistoryError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(HistoryError::UnknownProfile(String::new()));
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO profile (name, created_at) VALUES (?1, ?2)",
            params![name, now()],
        )?;
        self.profile(name)?
            .ok_or_else(|| HistoryError::UnknownProfile(name.to_string()))
    }

    /// Saves a finished session for `profile` in one transaction; returns its id once committed.
    pub fn save(&mut self, profile: &Profile, s: &SessionRecord) -> Result<i64, HistoryError> {
        let tx = self.conn.transaction()?;
        let id = insert_session(&tx, profile, s, None)?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves an account step — its session and the account's state after it — in one
    /// transaction. `run` is the account's row, `None` for a new account; returns the row.
    pub fn save_account_step(
        &mut self,
        profile: &Profile,
        run: Option<i64>,
        account: &AccountRecord,
        session: &SessionRecord,
    ) -> Result<i64, HistoryError> {
        // Immediate: saves of one account from two threads or two copies of the app take turns,
        // so the lookup below sees the other's row.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let steps = serde_json::to_string(&account.steps).unwrap_or_default();
        // Without a row id (the first save of a run, or a save issued before the first one's id
        // came back), the run is the trainee's unfinished one of this account and seed whose
        // steps agree with these; a save that arrives after a later one changes nothing of it.
        let run = match run {
            Some(id) => Some(id),
            None => {
                let mut stmt = tx.prepare(
                    "SELECT id, steps FROM account_run
                     WHERE profile_id = ?1 AND account_id = ?2 AND seed = ?3 AND finished = 0
                     ORDER BY id DESC",
                )?;
                let candidates: Vec<(i64, String)> = stmt
                    .query_map(
                        params![profile.id, account.account_id, account.seed as i64],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )?
                    .collect::<Result<_, _>>()?;
                drop(stmt);
                let mut found = None;
                for (id, saved) in candidates {
                    let saved: Vec<Vec<usize>> = serde_json::from_str(&saved).unwrap_or_default();
                    let n = saved.len().min(account.steps.len());
                    if saved[..n] == account.steps[..n] {
                        if saved.len() > account.steps.len() {
                            insert_session(&tx, profile, session, Some(id))?;
                            tx.commit()?;
                            return Ok(id);
                        }
                        found = Some(id);
                        break;
                    }
                }
                found
            }
        };
        let run_id = match run {
            Some(id) => {
                let changed = tx.execute(
                    "UPDATE account_run SET steps = ?1, stage = ?2, trust = ?3, score = ?4, report = ?5,
                            finished = ?6, updated_at = ?7
                     WHERE id = ?8 AND profile_id = ?9",
                    params![
                        steps,
                        account.stage.code(),
                        account.trust,
                        account.score,
                        account.report,
                        account.finished,
                        session.finished_at,
                        id,
                        profile.id
                    ],
                )?;
                if changed == 0 {
                    return Err(HistoryError::Io(format!(
                        "account record {id} does not belong to trainee `{}`",
                        profile.name
                    )));
                }
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO account_run (profile_id, account_id, locale, title, seed, steps, stage,
                                              trust, score, report, finished, started_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
                    params![
                        profile.id,
                        account.account_id,
                        account.locale,
                        account.title,
                        account.seed as i64,
                        steps,
                        account.stage.code(),
                        account.trust,
                        account.score,
                        account.report,
                        account.finished,
                        session.finished_at,
                    ],
                )?;
                tx.last_insert_rowid()
            }
        };
        insert_session(&tx, profile, session, Some(run_id))?;
        tx.commit()?;
        Ok(run_id)
    }

    /// The trainee's most recent unfinished run of an account, to resume.
    pub fn open_account(
        &self,
        profile: &Profile,
        account_id: &str,
    ) -> Result<Option<SavedAccount>, HistoryError> {
        Ok(self
            .query_accounts(profile, Some(account_id), true)?
            .into_iter()
            .next_back())
    }

    /// Every account run of a trainee, oldest first.
    pub fn accounts(&self, profile: &Profile) -> Result<Vec<SavedAccount>, HistoryError> {
        self.query_accounts(profile, None, false)
    }

    fn query_accounts(
        &self,
        profile: &Profile,
        account_id: Option<&str>,
        unfinished_only: bool,
    ) -> Result<Vec<SavedAccount>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, account_id, locale, title, seed, steps, stage, trust, score, report, finished,
                    started_at, updated_at
             FROM account_run
             WHERE profile_id = ?1 AND (?2 IS NULL OR account_id = ?2) AND (?3 = 0 OR finished = 0)
             ORDER BY updated_at, id",
        )?;
        let rows = stmt.query_map(params![profile.id, account_id, unfinished_only], |r| {
            let steps: String = r.get(5)?;
            let stage: String = r.get(6)?;
            Ok(SavedAccount {
                id: r.get(0)?,
                started_at: r.get(11)?,
                updated_at: r.get(12)?,
                record: AccountRecord {
                    account_id: r.get(1)?,
                    locale: r.get(2)?,
                    title: r.get(3)?,
                    seed: r.get::<_, i64>(4)? as u64,
                    steps: serde_json::from_str(&steps).unwrap_or_default(),
                    stage: Stage::from_code(&stage).unwrap_or(Stage::Stranger),
                    trust: r.get(7)?,
                    score: r.get(8)?,
                    report: r.get(9)?,
                    finished: r.get(10)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The mistake techniques of each session (of one trainee, or of everyone), by session id.
    pub fn mistakes_by_session(
        &self,
        profile: Option<&Profile>,
    ) -> Result<std::collections::HashMap<i64, Vec<String>>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.session_id, t.technique FROM technique_use t JOIN session s ON s.id = t.session_id
             WHERE t.mistake = 1 AND (?1 IS NULL OR s.profile_id = ?1)
             ORDER BY t.session_id, t.technique",
        )?;
        let rows = stmt.query_map([profile.map(|p| p.id)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for row in rows {
            let (id, t) = row?;
            out.entry(id).or_default().push(t);
        }
        Ok(out)
    }

    /// How often the trainee used each technique, with each personality, and what it did to
    /// trust (sessions saved before schema 2 carry no techniques).
    pub fn technique_uses(&self, profile: &Profile) -> Result<Vec<TechniqueUse>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.technique, t.personality, SUM(t.uses), SUM(t.trust), MAX(t.mistake)
             FROM technique_use t JOIN session s ON s.id = t.session_id
             WHERE s.profile_id = ?1
             GROUP BY t.technique, t.personality
             ORDER BY t.technique, t.personality",
        )?;
        let rows = stmt.query_map([profile.id], |r| {
            let personality: String = r.get(1)?;
            Ok(TechniqueUse {
                technique: r.get(0)?,
                personality: Personality::from_code(&personality)
                    .unwrap_or(Personality::Analytical),
                uses: r.get(2)?,
                trust: r.get(3)?,
                mistake: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn insert_session(
    tx: &rusqlite::Transaction,
    profile: &Profile,
    s: &SessionRecord,
    account_run: Option<i64>,
) -> Result<i64, HistoryError> {
    {
        // Trust at the end, for the progress screen's trend without reading every report.
        let trust_end = serde_json::from_str::<serde_json::Value>(&s.report)
            .ok()
            .and_then(|v| v.get("trust_end").and_then(|t| t.as_i64()));
        tx.execute(
            "INSERT INTO session (profile_id, scenario_id, scenario_hash, locale, personality, category,
                                  seed, choices, mode, score, report, finished_at, trust_end,
                                  account_run_id, duration_s)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                profile.id,
                s.scenario_id,
                s.scenario_hash,
                s.locale,
                s.personality.code(),
                s.category.map(|c| c.code()),
                s.seed as i64,
                serde_json::to_string(&s.choices).unwrap_or_default(),
                s.mode,
                s.score,
                s.report,
                s.finished_at,
                trust_end,
                account_run,
                s.duration_secs,
            ],
        )?;
        let id = tx.last_insert_rowid();
        for t in &s.techniques {
            tx.execute(
                "INSERT INTO technique_use (session_id, technique, personality, uses, trust, mistake)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    t.technique,
                    t.personality.code(),
                    t.uses,
                    t.trust,
                    t.mistake
                ],
            )?;
        }
        Ok(id)
    }
}

impl History {
    /// The sessions of one profile (another trainee's never appear), oldest first.
    pub fn sessions(&self, profile: &Profile) -> Result<Vec<Saved>, HistoryError> {
        self.query_sessions(Some(profile.id), 0)
    }

    /// Every session on this PC, oldest first.
    pub fn all_sessions(&self) -> Result<Vec<Saved>, HistoryError> {
        self.query_sessions(None, 0)
    }

    fn query_sessions(
        &self,
        profile: Option<i64>,
        after_id: i64,
    ) -> Result<Vec<Saved>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, p.name, s.scenario_id, s.scenario_hash, s.locale, s.personality, s.category,
                    s.seed, s.choices, s.mode, s.score, s.report, s.finished_at, a.account_id,
                    s.duration_s
             FROM session s JOIN profile p ON p.id = s.profile_id
             LEFT JOIN account_run a ON a.id = s.account_run_id
             WHERE (?1 IS NULL OR s.profile_id = ?1) AND s.id > ?2
             ORDER BY s.finished_at, s.id",
        )?;
        let rows = stmt.query_map(rusqlite::params![profile, after_id], |r| {
            let personality: String = r.get(5)?;
            let category: Option<String> = r.get(6)?;
            let choices: String = r.get(8)?;
            Ok(Saved {
                id: r.get(0)?,
                profile: r.get(1)?,
                account: r.get(13)?,
                record: SessionRecord {
                    scenario_id: r.get(2)?,
                    scenario_hash: r.get(3)?,
                    locale: r.get(4)?,
                    personality: Personality::from_code(&personality)
                        .unwrap_or(Personality::Analytical),
                    category: category.as_deref().and_then(Category::from_code),
                    seed: r.get::<_, i64>(7)? as u64,
                    choices: serde_json::from_str(&choices).unwrap_or_default(),
                    mode: r.get(9)?,
                    score: r.get(10)?,
                    report: r.get(11)?,
                    finished_at: r.get(12)?,
                    techniques: Vec::new(),
                    duration_secs: r.get(14)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the progress map needs of each session of `profile`, oldest first — without the
    /// reports, so that a long history reads quickly.
    pub fn scores(&self, profile: &Profile) -> Result<Vec<ScorePoint>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT personality, category, score, finished_at, trust_end FROM session
             WHERE profile_id = ?1 ORDER BY finished_at, id",
        )?;
        let rows = stmt.query_map([profile.id], |r| {
            let personality: String = r.get(0)?;
            let category: Option<String> = r.get(1)?;
            Ok(ScorePoint {
                personality: Personality::from_code(&personality)
                    .unwrap_or(Personality::Analytical),
                category: category.as_deref().and_then(Category::from_code),
                score: r.get(2)?,
                finished_at: r.get(3)?,
                trust: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sessions saved after session `after_id` (every session when it is 0), oldest first.
    pub fn sessions_after(&self, after_id: i64) -> Result<Vec<Saved>, HistoryError> {
        self.query_sessions(None, after_id)
    }

    /// Puts statements in the outbox, each under the thing it reports (`source`, e.g.
    /// `session:12`); one already queued, by id or by source, is left as it is. Returns how
    /// many were new.
    pub fn queue_statements(
        &mut self,
        items: &[OutboxItem],
        now: i64,
    ) -> Result<usize, HistoryError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut new = 0;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO xapi_outbox (statement_id, source, statement, queued_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for item in items {
                new += insert.execute(rusqlite::params![
                    item.statement_id,
                    item.source,
                    item.statement,
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(new)
    }

    /// The highest session id whose statement is queued (0 when none is).
    pub fn last_queued_session(&self) -> Result<i64, HistoryError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(CAST(substr(source, 9) AS INTEGER)), 0) FROM xapi_outbox
             WHERE source LIKE 'session:%'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Which `sources` are already in the outbox.
    pub fn queued_sources(&self) -> Result<std::collections::HashSet<String>, HistoryError> {
        let mut stmt = self.conn.prepare("SELECT source FROM xapi_outbox")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` statements waiting to be sent whose next try is due at `now`, oldest first.
    pub fn outbox_due(&self, now: i64, limit: usize) -> Result<Vec<OutboxItem>, HistoryError> {
        let mut stmt = self.conn.prepare(
            "SELECT statement_id, source, statement FROM xapi_outbox
             WHERE sent_at IS NULL AND rejected IS NULL AND next_try_at <= ?1
             ORDER BY queued_at, rowid LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![now, limit as i64], |r| {
            Ok(OutboxItem {
                statement_id: r.get(0)?,
                source: r.get(1)?,
                statement: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks statements as accepted by the store.
    pub fn outbox_sent(&mut self, ids: &[String], now: i64) -> Result<(), HistoryError> {
        let tx = self.conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE xapi_outbox SET sent_at = ?2, last_error = NULL WHERE statement_id = ?1",
                rusqlite::params![id, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Counts a failed try for statements and says when to try them again.
    pub fn outbox_failed(
        &mut self,
        ids: &[String],
        error: &str,
        next_try_at: i64,
    ) -> Result<(), HistoryError> {
        let tx = self.conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE xapi_outbox SET attempts = attempts + 1, last_error = ?2, next_try_at = ?3
                 WHERE statement_id = ?1",
                rusqlite::params![id, error, next_try_at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The most tries any waiting statement has had.
    pub fn outbox_most_attempts(&self) -> Result<u32, HistoryError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(attempts), 0) FROM xapi_outbox
             WHERE sent_at IS NULL AND rejected IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Sets a statement aside that the store refuses for what it says (it is kept, never resent).
    pub fn outbox_rejected(&mut self, id: &str, why: &str) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE xapi_outbox SET rejected = ?2, attempts = attempts + 1 WHERE statement_id = ?1",
            rusqlite::params![id, why],
        )?;
        Ok(())
    }

    /// How the outbox stands, for the sync status.
    pub fn outbox_status(&self) -> Result<OutboxStatus, HistoryError> {
        Ok(self.conn.query_row(
            "SELECT
                COALESCE(SUM(sent_at IS NULL AND rejected IS NULL), 0),
                COALESCE(SUM(sent_at IS NOT NULL), 0),
                COALESCE(SUM(rejected IS NOT NULL), 0),
                MAX(sent_at),
                (SELECT last_error FROM xapi_outbox WHERE sent_at IS NULL AND rejected IS NULL
                    AND last_error IS NOT NULL ORDER BY next_try_at DESC LIMIT 1),
                (SELECT MIN(next_try_at) FROM xapi_outbox WHERE sent_at IS NULL AND rejected IS NULL)
             FROM xapi_outbox",
            [],
            |r| {
                Ok(OutboxStatus {
                    waiting: r.get(0)?,
                    sent: r.get(1)?,
                    rejected: r.get(2)?,
                    last_sent_at: r.get(3)?,
                    last_error: r.get(4)?,
                    next_try_at: r.get(5)?,
                })
            },
        )?)
    }

    /// `PRAGMA integrity_check` as SQLite words it ("ok" when all is well).
    pub fn integrity(&self) -> Result<String, HistoryError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

enum Unusable {
    Newer(HistoryError),
    Damaged(String),
}

/// Renames an unusable database (and its WAL files) aside; never deletes anything.
fn set_aside(path: &Path, why: &str) -> Result<String, HistoryError> {
    let aside = path.with_extension(format!("sqlite3.unusable-{}", now()));
    std::fs::rename(path, &aside)
        .map_err(|e| HistoryError::Io(format!("{}: cannot set it aside: {e}", path.display())))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
        }
    }
    Ok(format!(
        "{}: the history {why}; it was kept as {} and a new history started",
        path.display(),
        aside.display()
    ))
}

/// Seconds since 1970 (0 if the clock is before it).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// FNV-1a over `bytes`, its offset basis varied by `seed`: stable across runs and platforms,
/// for content hashes and derived ids.
pub fn fnv1a(seed: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes
        .into_iter()
        .fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        })
}

/// A stable hash of a scenario's content (FNV-1a over its canonical RON), as hex.
pub fn scenario_hash(scn: &crate::Scenario) -> String {
    let text = ron::ser::to_string(&scn.file).unwrap_or_default();
    format!("{:016x}", fnv1a(0, text.bytes()))
}

/// The record of a finished session, or `None` while it runs.
pub fn record(session: &crate::Session, mode: &str) -> Option<SessionRecord> {
    let report = crate::scoring::report(session)?;
    let scn = session.scenario();
    Some(SessionRecord {
        scenario_id: scn.file.id.clone(),
        scenario_hash: scenario_hash(scn),
        locale: scn.locale().code().to_string(),
        personality: report.personality,
        category: scn.central_category(),
        seed: session.seed(),
        choices: session.choice_numbers(),
        mode: mode.to_string(),
        score: report.score.total,
        report: serde_json::to_string(&report).unwrap_or_default(),
        finished_at: now(),
        techniques: technique_uses(session),
        duration_secs: None,
    })
}

/// The techniques of a session's choices, summed per technique.
pub fn technique_uses(session: &crate::Session) -> Vec<TechniqueUse> {
    let scn = session.scenario();
    let model = &scn.model;
    let p = session.personality();
    let mut out: Vec<TechniqueUse> = Vec::new();
    for d in session.decisions() {
        let crate::compile::Then::Choices(list) = &scn.nodes[d.node].then else {
            continue;
        };
        let Some(choice) = list.get(d.choice) else {
            continue;
        };
        for &t in &choice.techniques {
            let def = model.technique_def(t);
            let (effect, _) = model.technique_effect(t, p);
            match out.iter_mut().find(|u| u.technique == def.id) {
                Some(u) => {
                    u.uses += 1;
                    u.trust += effect;
                }
                None => out.push(TechniqueUse {
                    technique: def.id.clone(),
                    personality: p,
                    uses: 1,
                    trust: effect,
                    mistake: def.kind == crate::model::TechniqueKind::Mistake,
                }),
            }
        }
    }
    out
}

/// One session as the progress map sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScorePoint {
    pub personality: Personality,
    pub category: Option<Category>,
    pub score: u32,
    pub finished_at: i64,
    /// Trust at the end of the session (sessions whose report did not say have none).
    #[serde(default)]
    pub trust: Option<i32>,
}

/// One cell of the mastery map: a personality × objection category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Mastery {
    /// The mean of the recent scores, when there are any.
    pub mean: Option<f64>,
    /// How many sessions the mean rests on.
    pub sessions: usize,
}

/// A trainee's progress: the mastery map from their most recent sessions per cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub sessions: usize,
    /// Rows by personality (`Personality::ALL`), columns by category (`Category::ALL`).
    pub map: Vec<Vec<Mastery>>,
    /// The weakest cells tried, weakest first, then cells never tried.
    pub practise_next: Vec<(Personality, Category)>,
}

/// How many of the most recent sessions of a cell its mastery rests on.
pub const RECENT_PER_CELL: usize = 5;

/// The progress map from a trainee's sessions, oldest first (`History::scores`).
pub fn progress(sessions: &[ScorePoint]) -> Progress {
    let mut recent: Vec<Vec<Vec<u32>>> =
        vec![vec![Vec::new(); Category::ALL.len()]; Personality::ALL.len()];
    for s in sessions.iter().rev() {
        let Some(c) = s.category else { continue };
        let cell = &mut recent[s.personality.index()][c.index()];
        if cell.len() < RECENT_PER_CELL {
            cell.push(s.score);
        }
    }
    let map: Vec<Vec<Mastery>> = recent
        .iter()
        .map(|row| {
            row.iter()
                .map(|scores| Mastery {
                    mean: (!scores.is_empty()).then(|| {
                        scores.iter().map(|&s| s as f64).sum::<f64>() / scores.len() as f64
                    }),
                    sessions: scores.len(),
                })
                .collect()
        })
        .collect();
    let mut cells: Vec<(Option<f64>, Personality, Category)> = Vec::new();
    for p in Personality::ALL {
        for c in Category::ALL {
            cells.push((map[p.index()][c.index()].mean, *p, *c));
        }
    }
    // Tried cells by score, weakest first; untried ones after them.
    cells.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Progress {
        sessions: sessions.len(),
        map,
        practise_next: cells.iter().take(3).map(|(_, p, c)| (*p, *c)).collect(),
    }
}
