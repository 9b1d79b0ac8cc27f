//! Trainees' history as files for other tools: CSV that Excel opens with Chinese intact (UTF-8
//! with a byte-order mark), one row per finished visit, and JSON with every report in full.

use crate::history::Saved;
use crate::scoring::Report;
use serde::Serialize;

/// The score rules, by id, as CSV columns (a rule a session did not have is left empty).
pub const RULE_COLUMNS: [&str; 7] = [
    "outcome",
    "trust",
    "relationship",
    "objections",
    "style",
    "diagnosis",
    "mistakes",
];

/// The CSV's header, in column order.
pub fn csv_header() -> Vec<String> {
    let mut h: Vec<String> = [
        "trainee",
        "finished_at_utc",
        "mode",
        "account",
        "scenario",
        "locale",
        "personality",
        "objections",
        "outcome",
        "score",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(RULE_COLUMNS.iter().map(|r| format!("points_{r}")));
    h.extend(
        [
            "trust_start",
            "trust_end",
            "stage_start",
            "stage_end",
            "mistakes",
            "mistake_techniques",
            "seed",
            "choices",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

/// One session as a CSV row (its report read back; a report that no longer reads leaves the
/// columns it would fill empty rather than losing the row).
pub fn csv_row(s: &Saved, mistakes: &[String]) -> Vec<String> {
    let r = &s.record;
    let report: Option<Report> = serde_json::from_str(&r.report).ok();
    let mut row = vec![
        s.profile.clone(),
        iso_time(r.finished_at),
        r.mode.clone(),
        s.account.clone().unwrap_or_default(),
        r.scenario_id.clone(),
        r.locale.clone(),
        r.personality.code().to_string(),
        report
            .as_ref()
            .map(|rep| {
                rep.objections
                    .iter()
                    .map(|o| format!("{}:{}:{}", o.category.code(), o.id, code_of(&o.status)))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        report
            .as_ref()
            .map(|rep| code_of(&rep.outcome))
            .unwrap_or_default(),
        r.score.to_string(),
    ];
    for id in RULE_COLUMNS {
        row.push(
            report
                .as_ref()
                .and_then(|rep| rep.score.rules.iter().find(|l| l.rule == id))
                .map(|l| l.points.to_string())
                .unwrap_or_default(),
        );
    }
    let field = |f: &dyn Fn(&Report) -> String| report.as_ref().map(f).unwrap_or_default();
    row.push(field(&|rep| rep.trust_start.to_string()));
    row.push(field(&|rep| rep.trust_end.to_string()));
    row.push(field(&|rep| rep.stage_start.code().to_string()));
    row.push(field(&|rep| rep.stage_end.code().to_string()));
    row.push(field(&|rep| rep.mistakes.to_string()));
    row.push(mistakes.join("; "));
    row.push(r.seed.to_string());
    row.push(
        r.choices
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    row
}

/// The snake_case name serde gives a value (an outcome, a status).
fn code_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Sessions as CSV: a byte-order mark (so Excel reads UTF-8), the header, a row each.
/// `mistakes(id)` names the mistake techniques of session `id`.
pub fn to_csv(sessions: &[Saved], mistakes: &dyn Fn(i64) -> Vec<String>) -> String {
    let mut out = String::from("\u{feff}");
    push_csv_line(&mut out, &csv_header());
    for s in sessions {
        push_csv_line(&mut out, &csv_row(s, &mistakes(s.id)));
    }
    out
}

fn push_csv_line(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// A field quoted when it must be (RFC 4180): commas, quotes or line breaks inside. A field
/// that a spreadsheet would take for a formula gets a leading apostrophe.
pub fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '@']) || (f.starts_with('-') && f.parse::<f64>().is_err()) {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

/// Sessions as JSON: every field, with the report as an object rather than a string.
pub fn to_json(sessions: &[Saved]) -> String {
    let list: Vec<serde_json::Value> = sessions
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            if let Some(obj) = v.as_object_mut() {
                let report = serde_json::from_str::<serde_json::Value>(&s.record.report)
                    .unwrap_or(serde_json::Value::Null);
                obj.insert("report".into(), report);
            }
            v
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_in_utc() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_time(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be_and_formulas_are_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-5"), "-5");
        assert_eq!(csv_field("李明"), "李明");
    }
}
