//! xAPI 1.0.3 statements for a trainee's finished visits and accounts, for an organisation's
//! learning record store or an LMS that imports statement files, and the specification's rules
//! a statement must satisfy (checked on every statement Rapport writes, in the tests).

use crate::history::{Saved, SavedAccount};
use crate::scoring::Report;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Where Rapport's identifiers live: activities, extensions and the trainees' accounts.
pub const IRI_BASE: &str = "https://rapport.training/xapi";
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const ACTIVITY_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";
pub const ACTIVITY_COURSE: &str = "http://adlnet.gov/expapi/activities/course";
/// A score at or above this is a success.
pub const PASSING_SCORE: u32 = 60;

/// The names of a scenario or an account in every language it exists in, by its id
/// (xAPI language tags: `en-US`, `zh-CN`).
pub type Names<'a> = &'a dyn Fn(&str) -> BTreeMap<String, String>;

pub fn extension(name: &str) -> String {
    format!("{IRI_BASE}/extensions/{name}")
}

/// The trainee as an xAPI agent: an account on this PC (`home_page`), no e-mail needed.
pub fn actor(profile: &str, home_page: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": profile,
        "account": {"homePage": home_page, "name": profile},
    })
}

/// A statement id that is the same every time for the same session, so that a store that
/// receives it twice keeps one (an RFC 4122-shaped UUID, version 8: derived, not random).
pub fn statement_id(kind: &str, key: &str) -> String {
    let hash = |seed: u64| crate::history::fnv1a(seed, kind.bytes().chain([0]).chain(key.bytes()));
    let (a, b) = (hash(1), hash(0x9e37_79b9_7f4a_7c15));
    let time_hi = ((a >> 16) as u16 & 0x0fff) | 0x8000;
    let clock = ((b >> 48) as u16 & 0x3fff) | 0x8000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a & 0xffff) as u16,
        time_hi,
        clock,
        b & 0xffff_ffff_ffff
    )
}

/// Seconds as an ISO 8601 duration.
pub fn duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

fn language_map(names: BTreeMap<String, String>, fallback: &str) -> Value {
    let mut map = Map::new();
    for (lang, name) in names {
        map.insert(lang, Value::String(name));
    }
    if map.is_empty() {
        map.insert("en-US".into(), Value::String(fallback.to_string()));
    }
    Value::Object(map)
}

/// The xAPI language tag of a Rapport locale code.
pub fn language_tag(locale: &str) -> &'static str {
    if locale.starts_with("zh") {
        "zh-CN"
    } else {
        "en-US"
    }
}

/// The statement for one finished session: the trainee completed the scenario (a simulation),
/// with the score, success and duration, and the personality, objections, seed and choices as
/// context extensions so that the run can be replayed.
pub fn session_statement(s: &Saved, home_page: &str, names: Names) -> Value {
    let r = &s.record;
    let report: Option<Report> = serde_json::from_str(&r.report).ok();
    let mut result = json!({
        "score": {"scaled": r.score as f64 / 100.0, "raw": r.score, "min": 0, "max": 100},
        "success": r.score >= PASSING_SCORE,
        "completion": true,
    });
    if let Some(secs) = r.duration_secs {
        result["duration"] = Value::String(duration(secs));
    }
    let objections: Vec<Value> = report
        .as_ref()
        .map(|rep| {
            rep.objections
                .iter()
                .map(|o| json!({"id": o.id, "category": o.category.code(), "status": o.status}))
                .collect()
        })
        .unwrap_or_default();
    let mut extensions = Map::new();
    extensions.insert(extension("personality"), json!(r.personality.code()));
    extensions.insert(extension("objections"), Value::Array(objections));
    extensions.insert(extension("seed"), json!(r.seed));
    extensions.insert(extension("choices"), json!(r.choices));
    extensions.insert(extension("scenario-hash"), json!(r.scenario_hash));
    extensions.insert(extension("mode"), json!(r.mode));
    if let Some(category) = r.category {
        extensions.insert(extension("category"), json!(category.code()));
    }
    if let Some(rep) = &report {
        extensions.insert(extension("outcome"), json!(rep.outcome));
        extensions.insert(extension("trust-end"), json!(rep.trust_end));
    }
    let mut context = json!({
        "platform": "Rapport",
        "language": language_tag(&r.locale),
        "extensions": Value::Object(extensions),
    });
    if let Some(account) = &s.account {
        context["contextActivities"] = json!({
            "grouping": [{
                "objectType": "Activity",
                "id": format!("{IRI_BASE}/accounts/{account}"),
            }]
        });
    }
    let fallback = report
        .as_ref()
        .map_or(r.scenario_id.clone(), |rep| rep.title.clone());
    json!({
        "id": statement_id("session", &format!("{}|{}|{}|{}", s.profile, r.scenario_id, r.finished_at, s.id)),
        "actor": actor(&s.profile, home_page),
        "verb": {"id": VERB_COMPLETED, "display": {"en-US": "completed", "zh-CN": "完成"}},
        "object": {
            "objectType": "Activity",
            "id": format!("{IRI_BASE}/scenarios/{}", r.scenario_id),
            "definition": {
                "name": language_map(names(&r.scenario_id), &fallback),
                "type": ACTIVITY_SIMULATION,
            },
        },
        "result": result,
        "context": context,
        "timestamp": crate::export::iso_time(r.finished_at),
    })
}

/// The statement for a finished account: the trainee completed it, with the account score.
pub fn account_statement(profile: &str, a: &SavedAccount, home_page: &str, names: Names) -> Value {
    let r = &a.record;
    let mut extensions = Map::new();
    extensions.insert(extension("seed"), json!(r.seed));
    extensions.insert(extension("steps"), json!(r.steps));
    extensions.insert(extension("stage"), json!(r.stage.code()));
    extensions.insert(extension("trust"), json!(r.trust));
    json!({
        "id": statement_id("account", &format!("{profile}|{}|{}", r.account_id, a.id)),
        "actor": actor(profile, home_page),
        "verb": {"id": VERB_COMPLETED, "display": {"en-US": "completed", "zh-CN": "完成"}},
        "object": {
            "objectType": "Activity",
            "id": format!("{IRI_BASE}/accounts/{}", r.account_id),
            "definition": {
                "name": language_map(names(&r.account_id), &r.title),
                "type": ACTIVITY_COURSE,
            },
        },
        "result": {
            "score": {"scaled": r.score as f64 / 100.0, "raw": r.score, "min": 0, "max": 100},
            "success": r.score >= PASSING_SCORE,
            "completion": true,
            "duration": duration((a.updated_at - a.started_at).clamp(0, u32::MAX as i64) as u32),
        },
        "context": {
            "platform": "Rapport",
            "language": language_tag(&r.locale),
            "extensions": Value::Object(extensions),
        },
        "timestamp": crate::export::iso_time(a.updated_at),
    })
}

/// The statements of a history, each with what it reports (`session:<id>`, `account:<id>`):
/// every session after session `after_session` and every finished account not in `skip`,
/// of one trainee or of everyone on the PC.
pub fn statements_in(
    history: &crate::history::History,
    profile: Option<&crate::history::Profile>,
    after_session: i64,
    skip: &std::collections::HashSet<String>,
    home_page: &str,
    names: Names,
) -> Result<Vec<(String, Value)>, crate::history::HistoryError> {
    let sessions = match profile {
        Some(p) => history.sessions(p)?,
        None => history.sessions_after(after_session)?,
    };
    let mut out: Vec<(String, Value)> = sessions
        .iter()
        .filter(|s| s.id > after_session)
        .map(|s| {
            (
                format!("session:{}", s.id),
                session_statement(s, home_page, names),
            )
        })
        .collect();
    let profiles = match profile {
        Some(p) => vec![p.clone()],
        None => history.profiles()?,
    };
    for p in &profiles {
        for a in history.accounts(p)? {
            let source = format!("account:{}", a.id);
            if a.record.finished && !skip.contains(&source) {
                out.push((source, account_statement(&p.name, &a, home_page, names)));
            }
        }
    }
    Ok(out)
}

/// Puts the trainee's class in a statement as its team (an identified group on the
/// organisation's home page), so that a trainer can fetch one class's statements.
pub fn set_team(statement: &mut Value, group: &str, home_page: &str) {
    statement["context"]["team"] = json!({
        "objectType": "Group",
        "name": group,
        "account": {"homePage": home_page, "name": group},
    });
}

/// The class a statement's trainee belongs to, if it names one.
pub fn team_name(statement: &Value) -> Option<&str> {
    let team = &statement["context"]["team"];
    team["account"]["name"]
        .as_str()
        .or_else(|| team["name"].as_str())
}

// ---------------------------------------------------------------------------------------
// The specification's rules (xAPI 1.0.3, part two: data)

fn is_iri(s: &str) -> bool {
    // An absolute IRI: a scheme, a colon, and no whitespace.
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

fn is_irl(s: &str) -> bool {
    is_iri(s) && (s.starts_with("http://") || s.starts_with("https://"))
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
        && parts[2]
            .chars()
            .next()
            .is_some_and(|c| ('1'..='8').contains(&c))
        && parts[3]
            .chars()
            .next()
            .is_some_and(|c| "89abAB".contains(c))
}

fn is_language_tag(s: &str) -> bool {
    // RFC 5646, the forms Rapport writes and those a store commonly sends: a 2–3 letter
    // language, optional script or region subtags of 2–8 letters or digits.
    let mut parts = s.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && (s.ends_with('Z') || s[19..].contains('+') || s[19..].contains('-'))
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
            .iter()
            .all(|r| s[r.clone()].chars().all(|c| c.is_ascii_digit()))
}

fn is_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let units_ok = |part: &str, units: &str| {
        let mut number = String::new();
        let mut seen = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
            } else if units.contains(c) && !number.is_empty() {
                number.clear();
                seen += 1;
            } else {
                return None;
            }
        }
        number.is_empty().then_some(seen)
    };
    let date_units = units_ok(date, "YMWD");
    let time_units = time.map(|t| units_ok(t, "HMS"));
    match (date_units, time_units) {
        (Some(d), None) => d > 0,
        (Some(_), Some(Some(t))) => t > 0,
        _ => false,
    }
}

fn check_language_map(v: &Value, at: &str, problems: &mut Vec<String>) {
    match v.as_object() {
        Some(map) if !map.is_empty() => {
            for (k, val) in map {
                if !is_language_tag(k) {
                    problems.push(format!("{at}: `{k}` is not a language tag"));
                }
                if !val.is_string() {
                    problems.push(format!("{at}.{k}: not a string"));
                }
            }
        }
        _ => problems.push(format!("{at}: a language map must be a non-empty object")),
    }
}

fn check_agent(v: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(obj) = v.as_object() else {
        problems.push(format!("{at}: not an object"));
        return;
    };
    if let Some(t) = obj.get("objectType")
        && t != "Agent"
        && t != "Group"
    {
        problems.push(format!("{at}.objectType: `{t}` is not Agent or Group"));
    }
    let ifis = ["mbox", "mbox_sha1sum", "openid", "account"]
        .iter()
        .filter(|k| obj.contains_key(**k))
        .count();
    if ifis != 1 {
        problems.push(format!(
            "{at}: an agent has exactly one identifier (mbox, mbox_sha1sum, openid or account); found {ifis}"
        ));
    }
    if let Some(account) = obj.get("account") {
        match account.get("homePage").and_then(Value::as_str) {
            Some(h) if is_irl(h) => {}
            _ => problems.push(format!("{at}.account.homePage: must be an IRL")),
        }
        if account
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            problems.push(format!("{at}.account.name: required"));
        }
    }
}

/// Everything in `statement` that breaks the xAPI 1.0.3 rules for a statement a client sends
/// (required properties, identifiers, IRIs, language maps, scores, durations, timestamps).
pub fn problems(statement: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let Some(obj) = statement.as_object() else {
        return vec!["a statement is a JSON object".into()];
    };
    const ALLOWED: [&str; 11] = [
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    ];
    for k in obj.keys() {
        if !ALLOWED.contains(&k.as_str()) {
            p.push(format!("`{k}` is not a statement property"));
        }
    }
    for k in ["stored", "authority"] {
        if obj.contains_key(k) {
            p.push(format!("`{k}` is set by the store, not the client"));
        }
    }
    match obj.get("id").and_then(Value::as_str) {
        Some(id) if is_uuid(id) => {}
        Some(id) => p.push(format!("id `{id}` is not a UUID")),
        None => p.push("id: missing (Rapport always sets it, so a resend is recognised)".into()),
    }
    match obj.get("actor") {
        Some(a) => check_agent(a, "actor", &mut p),
        None => p.push("actor: required".into()),
    }
    match obj.get("verb") {
        Some(v) => {
            if !v.get("id").and_then(Value::as_str).is_some_and(is_iri) {
                p.push("verb.id: must be an IRI".into());
            }
            match v.get("display") {
                Some(d) => check_language_map(d, "verb.display", &mut p),
                None => p.push("verb.display: Rapport always names its verbs".into()),
            }
        }
        None => p.push("verb: required".into()),
    }
    match obj.get("object") {
        Some(o) => {
            let t = o
                .get("objectType")
                .and_then(Value::as_str)
                .unwrap_or("Activity");
            if t != "Activity" {
                p.push(format!(
                    "object.objectType: `{t}`; Rapport's objects are activities"
                ));
            }
            if !o.get("id").and_then(Value::as_str).is_some_and(is_iri) {
                p.push("object.id: must be an IRI".into());
            }
            if let Some(def) = o.get("definition") {
                if let Some(name) = def.get("name") {
                    check_language_map(name, "object.definition.name", &mut p);
                }
                if let Some(t) = def.get("type")
                    && !t.as_str().is_some_and(is_iri)
                {
                    p.push("object.definition.type: must be an IRI".into());
                }
            }
        }
        None => p.push("object: required".into()),
    }
    if let Some(result) = obj.get("result") {
        if let Some(score) = result.get("score") {
            let num = |k: &str| score.get(k).and_then(Value::as_f64);
            if let Some(s) = num("scaled")
                && !(-1.0..=1.0).contains(&s)
            {
                p.push(format!("result.score.scaled {s} is outside -1..1"));
            }
            if let (Some(min), Some(max)) = (num("min"), num("max"))
                && min >= max
            {
                p.push("result.score: min must be below max".into());
            }
            if let Some(raw) = num("raw")
                && (num("min").is_some_and(|m| raw < m) || num("max").is_some_and(|m| raw > m))
            {
                p.push(format!("result.score.raw {raw} is outside min..max"));
            }
        }
        for k in ["success", "completion"] {
            if let Some(v) = result.get(k)
                && !v.is_boolean()
            {
                p.push(format!("result.{k}: must be true or false"));
            }
        }
        if let Some(d) = result.get("duration")
            && !d.as_str().is_some_and(is_duration)
        {
            p.push(format!("result.duration {d} is not an ISO 8601 duration"));
        }
    }
    if let Some(context) = obj.get("context") {
        if let Some(lang) = context.get("language")
            && !lang.as_str().is_some_and(is_language_tag)
        {
            p.push("context.language: not a language tag".into());
        }
        if let Some(ext) = context.get("extensions").and_then(Value::as_object) {
            for k in ext.keys() {
                if !is_iri(k) {
                    p.push(format!("context.extensions: key `{k}` is not an IRI"));
                }
            }
        }
        if let Some(groups) = context.get("contextActivities").and_then(Value::as_object) {
            for (k, list) in groups {
                if !["parent", "grouping", "category", "other"].contains(&k.as_str()) {
                    p.push(format!(
                        "context.contextActivities: `{k}` is not a context type"
                    ));
                }
                for a in list.as_array().into_iter().flatten() {
                    if !a.get("id").and_then(Value::as_str).is_some_and(is_iri) {
                        p.push(format!(
                            "context.contextActivities.{k}: an id is not an IRI"
                        ));
                    }
                }
            }
        }
    }
    if let Some(t) = obj.get("timestamp")
        && !t.as_str().is_some_and(is_timestamp)
    {
        p.push(format!("timestamp {t} is not an ISO 8601 date and time"));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(duration(0), "PT0S");
        assert_eq!(duration(75), "PT1M15S");
        assert_eq!(duration(3600), "PT1H");
        for d in ["PT0S", "PT1M15S", "PT1H", "P1D", "P1DT2H"] {
            assert!(is_duration(d), "{d}");
        }
        for d in ["P", "PT", "1H", "PT1X", "PTH"] {
            assert!(!is_duration(d), "{d}");
        }
    }

    #[test]
    fn statement_ids_are_uuids_and_stable() {
        let a = statement_id("session", "ana|x|1");
        assert!(is_uuid(&a), "{a}");
        assert_eq!(a, statement_id("session", "ana|x|1"));
        assert_ne!(a, statement_id("session", "ana|x|2"));
        assert!(!is_uuid("not-a-uuid"));
    }
}
