//! Sending xAPI statements to the organisation's learning record store: the outbox is filled
//! from the history (so a statement cannot be lost between a save and its sending), one sync
//! pass sends what is due in batches, and failures are retried later with growing waits.
//! Blocking I/O: the app runs a pass on its IO pool, the CLI in `rapport sync`.

use crate::history::{History, HistoryError, OutboxItem, OutboxStatus};
use crate::settings::LrsSettings;
use crate::xapi::{self, Names};
use base64::Engine;
use serde_json::Value;
use std::time::Duration;

/// Statements sent in one request.
pub const BATCH: usize = 50;
/// The first wait after a failure; it doubles with every failed try up to `MAX_WAIT_SECS`.
pub const FIRST_WAIT_SECS: i64 = 30;
pub const MAX_WAIT_SECS: i64 = 30 * 60;
/// How long one request may take before the store counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What one sync pass did, and how the outbox stands after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub queued: usize,
    pub sent: usize,
    pub rejected: usize,
    /// Why the pass stopped early (the store unreachable, credentials refused…).
    pub error: Option<String>,
    pub status: OutboxStatus,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the learning record store is not set up: {0}")]
    NotSetUp(String),
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// The wait before try number `attempts + 1`.
pub fn backoff(attempts: u32) -> i64 {
    let doubled = FIRST_WAIT_SECS.saturating_mul(1i64 << attempts.min(20));
    doubled.min(MAX_WAIT_SECS)
}

/// Adds the statements of every session and finished account the outbox does not hold yet.
/// Statements carry the organisation's home page and, when set, the class as their team.
pub fn fill_outbox(
    history: &mut History,
    lrs: &LrsSettings,
    names: Names,
    now: i64,
) -> Result<usize, HistoryError> {
    let after = history.last_queued_session()?;
    let queued = history.queued_sources()?;
    let items: Vec<OutboxItem> =
        xapi::statements_in(history, None, after, &queued, &lrs.home_page, names)?
            .into_iter()
            .map(|(source, statement)| item(source, statement, lrs))
            .collect();
    history.queue_statements(&items, now)
}

fn item(source: String, mut statement: Value, lrs: &LrsSettings) -> OutboxItem {
    if !lrs.group.trim().is_empty() {
        xapi::set_team(&mut statement, lrs.group.trim(), &lrs.home_page);
    }
    OutboxItem {
        statement_id: statement["id"].as_str().unwrap_or_default().to_string(),
        source,
        statement: statement.to_string(),
    }
}

/// What the store answered to one request.
enum Answer {
    /// Stored, or already stored under the same ids.
    Accepted,
    /// The statements themselves are refused (400, 409, 413, 422): retrying cannot help.
    Refused(String),
    /// The credentials are refused (401, 403): nothing is sent until the settings change.
    Unauthorised(String),
    /// The store is unreachable or failing (network error, 5xx, 429): try again later.
    Unavailable(String),
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

fn authorization(lrs: &LrsSettings) -> String {
    let token = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", lrs.username, lrs.password));
    format!("Basic {token}")
}

/// An error message with the password taken out, should a library ever echo it.
fn scrub(message: &str, lrs: &LrsSettings) -> String {
    if lrs.password.is_empty() {
        message.to_string()
    } else {
        message.replace(&lrs.password, "(hidden)")
    }
}

fn post(agent: &ureq::Agent, lrs: &LrsSettings, batch: &[OutboxItem]) -> Answer {
    let body = format!(
        "[{}]",
        batch
            .iter()
            .map(|i| i.statement.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    let url = format!("{}statements", lrs.base());
    let sent = agent
        .post(&url)
        .header("X-Experience-API-Version", "1.0.3")
        .header("Authorization", &authorization(lrs))
        .header("Content-Type", "application/json")
        .send(body.as_bytes());
    match sent {
        Err(e) => Answer::Unavailable(scrub(&format!("{url}: {e}"), lrs)),
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response
                .body_mut()
                .with_config()
                .limit(4096)
                .read_to_string()
                .unwrap_or_default();
            let said = scrub(text.trim(), lrs);
            let said: String = said.chars().take(300).collect();
            match status {
                200..=299 => Answer::Accepted,
                401 | 403 => Answer::Unauthorised(format!(
                    "the LRS refused the user name or password (HTTP {status})"
                )),
                400 | 409 | 413 | 422 => Answer::Refused(format!("HTTP {status}: {said}")),
                _ => Answer::Unavailable(format!("{url}: HTTP {status}: {said}")),
            }
        }
    }
}

/// One sync pass: fills the outbox, then sends what is due, a batch at a time, until the
/// outbox is empty or the store stops answering. A batch the store refuses is sent again one
/// statement at a time, so that one bad statement does not hold back the others.
pub fn sync(
    history: &mut History,
    lrs: &LrsSettings,
    names: Names,
    now: i64,
) -> Result<SyncReport, SyncError> {
    if let Some(problem) = lrs.problem() {
        return Err(SyncError::NotSetUp(problem));
    }
    let mut report = SyncReport {
        queued: fill_outbox(history, lrs, names, now)?,
        ..SyncReport::default()
    };
    let agent = agent(TIMEOUT);
    'outer: loop {
        let batch = history.outbox_due(now, BATCH)?;
        if batch.is_empty() {
            break;
        }
        match post(&agent, lrs, &batch) {
            Answer::Accepted => {
                history.outbox_sent(&ids(&batch), now)?;
                report.sent += batch.len();
            }
            Answer::Refused(why) if batch.len() == 1 => {
                history.outbox_rejected(&batch[0].statement_id, &why)?;
                report.rejected += 1;
            }
            Answer::Refused(_) => {
                for one in &batch {
                    match post(&agent, lrs, std::slice::from_ref(one)) {
                        Answer::Accepted => {
                            history.outbox_sent(std::slice::from_ref(&one.statement_id), now)?;
                            report.sent += 1;
                        }
                        Answer::Refused(why) => {
                            history.outbox_rejected(&one.statement_id, &why)?;
                            report.rejected += 1;
                        }
                        Answer::Unauthorised(why) | Answer::Unavailable(why) => {
                            postpone(history, now, &why)?;
                            report.error = Some(why);
                            break 'outer;
                        }
                    }
                }
            }
            Answer::Unauthorised(why) | Answer::Unavailable(why) => {
                postpone(history, now, &why)?;
                report.error = Some(why);
                break;
            }
        }
    }
    report.status = history.outbox_status()?;
    Ok(report)
}

/// Counts a failed try for everything due and puts the next one off by `backoff`.
fn postpone(history: &mut History, now: i64, why: &str) -> Result<(), HistoryError> {
    let waiting = history.outbox_due(now, usize::MAX)?;
    let tries = history.outbox_most_attempts()?;
    history.outbox_failed(&ids(&waiting), why, now + backoff(tries))
}

fn ids(items: &[OutboxItem]) -> Vec<String> {
    items.iter().map(|i| i.statement_id.clone()).collect()
}

/// Reads statements back from the store (following `more` links), for the class view and
/// the tests: every statement, or those of one class when `group` is given.
pub fn fetch_statements(lrs: &LrsSettings, group: Option<&str>) -> Result<Vec<Value>, String> {
    if let Some(problem) = lrs.problem() {
        return Err(problem);
    }
    let agent = agent(TIMEOUT);
    let origin = origin(&lrs.endpoint);
    let mut url = format!("{}statements?limit=500", lrs.base());
    let mut out = Vec::new();
    for _page in 0..10_000 {
        let mut response = agent
            .get(&url)
            .header("X-Experience-API-Version", "1.0.3")
            .header("Authorization", &authorization(lrs))
            .call()
            .map_err(|e| scrub(&format!("{url}: {e}"), lrs))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        if status == 401 || status == 403 {
            return Err(format!(
                "the LRS refused the user name or password (HTTP {status})"
            ));
        }
        if !(200..300).contains(&status) {
            let said: String = scrub(&text, lrs).chars().take(300).collect();
            return Err(format!("{url}: HTTP {status}: {said}"));
        }
        let page: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{url}: not a statement result: {e}"))?;
        for s in page["statements"].as_array().into_iter().flatten() {
            if group.is_none_or(|g| xapi::team_name(s) == Some(g)) {
                out.push(s.clone());
            }
        }
        match page["more"].as_str().filter(|m| !m.is_empty()) {
            Some(more) if more.starts_with("http") => url = more.to_string(),
            Some(more) => url = format!("{origin}{more}"),
            None => return Ok(out),
        }
    }
    Ok(out)
}

/// `https://host:port` of an endpoint, for the store's relative `more` links.
fn origin(endpoint: &str) -> String {
    let trimmed = endpoint.trim();
    let scheme_end = trimmed.find("://").map_or(0, |i| i + 3);
    let host_end = trimmed[scheme_end..]
        .find('/')
        .map_or(trimmed.len(), |i| scheme_end + i);
    trimmed[..host_end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_each_failure_up_to_half_an_hour() {
        assert_eq!(
            (0..8).map(backoff).collect::<Vec<_>>(),
            [30, 60, 120, 240, 480, 960, 1800, 1800]
        );
        assert_eq!(backoff(u32::MAX), MAX_WAIT_SECS);
    }

    #[test]
    fn relative_more_links_resolve_against_the_endpoint_origin() {
        assert_eq!(
            origin("https://lrs.example.org:8443/xAPI/"),
            "https://lrs.example.org:8443"
        );
        assert_eq!(origin("http://127.0.0.1:9/"), "http://127.0.0.1:9");
    }

    #[test]
    fn messages_never_carry_the_password() {
        let lrs = LrsSettings {
            password: "hunter2".into(),
            ..LrsSettings::default()
        };
        assert_eq!(scrub("bad hunter2 here", &lrs), "bad (hidden) here");
    }
}
