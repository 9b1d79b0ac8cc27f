//! The trainer's class view: a class's xAPI statements (files exported from the trainees' PCs,
//! or fetched from the LRS) turned into the personality × objection heat map of the class,
//! a row per trainee, the decisions most often got wrong (each visit replayed from its seed
//! and choices against the trainer's scenario library) and the scenario to run with the whole
//! class next. Pure: the caller reads the files and the library.

use crate::Scenario;
use crate::analysis::Analyzer;
use crate::history::{Mastery, ScorePoint, progress};
use crate::vocabulary::{Category, Personality};
use crate::xapi::extension;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// One finished visit, as a statement reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub trainee: String,
    pub scenario_id: String,
    pub personality: Personality,
    pub category: Option<Category>,
    pub score: u32,
    pub trust_end: Option<i32>,
    pub seed: u64,
    pub choices: Vec<usize>,
    pub scenario_hash: String,
    pub timestamp: String,
}

/// The visit a statement reports; `None` for statements that are not Rapport visits (an
/// account's, another tool's).
pub fn visit(statement: &Value) -> Option<Visit> {
    let object = statement["object"]["id"].as_str()?;
    let scenario_id = object.strip_prefix(&format!("{}/scenarios/", crate::xapi::IRI_BASE))?;
    let ext = &statement["context"]["extensions"];
    let personality = Personality::from_code(ext[extension("personality")].as_str()?)?;
    let category = ext[extension("category")]
        .as_str()
        .and_then(Category::from_code)
        .or_else(|| {
            ext[extension("objections")]
                .as_array()?
                .iter()
                .find_map(|o| o["category"].as_str().and_then(Category::from_code))
        });
    let actor = &statement["actor"];
    let trainee = actor["account"]["name"]
        .as_str()
        .or_else(|| actor["name"].as_str())?
        .to_string();
    Some(Visit {
        trainee,
        scenario_id: scenario_id.to_string(),
        personality,
        category,
        score: statement["result"]["score"]["raw"].as_u64()?.min(100) as u32,
        trust_end: ext[extension("trust-end")].as_i64().map(|t| t as i32),
        seed: ext[extension("seed")].as_u64()?,
        choices: serde_json::from_value(ext[extension("choices")].clone()).ok()?,
        scenario_hash: ext[extension("scenario-hash")]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        timestamp: statement["timestamp"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

/// Every statement in the `.json` files of `folder` (a statement, an array of them, or a
/// statement result `{"statements": […]}`), and a problem for each file that holds none,
/// naming the file, and where and what was expected.
pub fn read_folder(folder: &Path) -> (Vec<Value>, Vec<String>) {
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) => return (statements, vec![format!("{}: {e}", folder.display())]),
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        })
        .collect();
    files.sort();
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: cannot be read: {e}", file.display()));
                continue;
            }
        };
        match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
            Ok(Value::Array(list)) => statements.extend(list),
            Ok(Value::Object(o)) if o.contains_key("statements") => {
                statements.extend(o["statements"].as_array().cloned().unwrap_or_default())
            }
            Ok(v @ Value::Object(_)) => statements.push(v),
            Ok(_) => problems.push(format!(
                "{}: expected xAPI statements (an array, a statement, or {{\"statements\": […]}})",
                file.display()
            )),
            Err(e) => problems.push(format!(
                "{}:{}:{}: not JSON: {e}",
                file.display(),
                e.line(),
                e.column()
            )),
        }
    }
    (statements, problems)
}

/// A trainee's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraineeRow {
    pub trainee: String,
    pub visits: usize,
    pub mean_score: f64,
    pub mean_trust_end: Option<f64>,
    /// Their weakest cell tried (by the trainee progress screen's own rule).
    pub weakest: Option<(Personality, Category)>,
}

/// A decision of a scenario and how often the class missed its best line there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissedDecision {
    pub scenario_id: String,
    pub title: String,
    pub node: String,
    /// What the customer says there.
    pub line: String,
    pub best_choice: String,
    pub attempts: usize,
    pub missed: usize,
}

/// A cell of the class's heat map: the mean over the trainees who tried it of their mastery
/// (each trainee's recent scores, as their own progress screen computes it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct ClassCell {
    pub mean: Option<f64>,
    pub visits: usize,
    pub trainees: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassView {
    /// Rows by personality (`Personality::ALL`), columns by category (`Category::ALL`).
    pub map: Vec<Vec<ClassCell>>,
    pub trainees: Vec<TraineeRow>,
    pub missed: Vec<MissedDecision>,
    /// The weakest cell and the library scenario for it that the fewest trainees played.
    pub run_next: Option<(Personality, Category, f64, String)>,
    /// Statements that are not Rapport visits, and visits whose scenario is not in the library
    /// in the same version (their decisions cannot be replayed).
    pub skipped: usize,
    pub not_replayed: usize,
}

/// How many decisions the view lists.
pub const MISSED_SHOWN: usize = 10;

/// The class view of `statements`, replaying visits against `library`.
pub fn build(statements: &[Value], library: &[Arc<Scenario>]) -> ClassView {
    let visits: Vec<Visit> = statements.iter().filter_map(visit).collect();
    let skipped = statements.len() - visits.len();
    let mut by_trainee: BTreeMap<&str, Vec<&Visit>> = BTreeMap::new();
    for v in &visits {
        by_trainee.entry(&v.trainee).or_default().push(v);
    }
    let mut sums =
        vec![vec![(0.0f64, 0usize, 0usize); Category::ALL.len()]; Personality::ALL.len()];
    let mut trainees = Vec::new();
    for (name, mut list) in by_trainee {
        list.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        let points: Vec<ScorePoint> = list
            .iter()
            .map(|v| ScorePoint {
                personality: v.personality,
                category: v.category,
                score: v.score,
                finished_at: 0,
                trust: v.trust_end,
            })
            .collect();
        let mastery = progress(&points);
        for (p, row) in mastery.map.iter().enumerate() {
            for (c, Mastery { mean, sessions }) in row.iter().enumerate() {
                if let Some(mean) = mean {
                    sums[p][c].0 += mean;
                    sums[p][c].2 += 1;
                }
                sums[p][c].1 += sessions;
            }
        }
        let trusts: Vec<i32> = list.iter().filter_map(|v| v.trust_end).collect();
        trainees.push(TraineeRow {
            trainee: name.to_string(),
            visits: list.len(),
            mean_score: list.iter().map(|v| v.score as f64).sum::<f64>() / list.len() as f64,
            mean_trust_end: (!trusts.is_empty())
                .then(|| trusts.iter().map(|&t| t as f64).sum::<f64>() / trusts.len() as f64),
            weakest: mastery
                .practise_next
                .first()
                .copied()
                .filter(|(p, c)| mastery.map[p.index()][c.index()].mean.is_some()),
        });
    }
    let map: Vec<Vec<ClassCell>> = sums
        .iter()
        .map(|row| {
            row.iter()
                .map(|&(sum, visits, tried)| ClassCell {
                    mean: (tried > 0).then(|| sum / tried as f64),
                    visits,
                    trainees: tried,
                })
                .collect()
        })
        .collect();
    let (missed, not_replayed) = missed_decisions(&visits, library);
    ClassView {
        run_next: run_next(&map, &visits, library),
        map,
        trainees,
        missed,
        skipped,
        not_replayed,
    }
}

/// The weakest cell the class tried, and the library scenario for it (its personality and
/// central objection) the fewest trainees have played, in the language most visits used.
fn run_next(
    map: &[Vec<ClassCell>],
    visits: &[Visit],
    library: &[Arc<Scenario>],
) -> Option<(Personality, Category, f64, String)> {
    let mut tried: Vec<(f64, Personality, Category)> = Vec::new();
    for p in Personality::ALL {
        for c in Category::ALL {
            if let Some(mean) = map[p.index()][c.index()].mean {
                tried.push((mean, *p, *c));
            }
        }
    }
    tried.sort_by(|a, b| a.0.total_cmp(&b.0));
    let played: HashMap<&str, usize> = visits.iter().fold(HashMap::new(), |mut m, v| {
        *m.entry(v.scenario_id.as_str()).or_default() += 1;
        m
    });
    let locale = {
        let zh = library
            .iter()
            .filter(|s| played.contains_key(s.file.id.as_str()))
            .filter(|s| s.locale() == crate::vocabulary::Locale::ZhCn)
            .count();
        let en = library
            .iter()
            .filter(|s| played.contains_key(s.file.id.as_str()))
            .count()
            - zh;
        if zh > en {
            crate::vocabulary::Locale::ZhCn
        } else {
            crate::vocabulary::Locale::En
        }
    };
    for (mean, p, c) in tried {
        let best = library
            .iter()
            .filter(|s| s.locale() == locale)
            .filter(|s| {
                s.file.customer.personality.candidates().contains(&p)
                    && s.central_category() == Some(c)
            })
            .min_by_key(|s| {
                (
                    played.get(s.file.id.as_str()).copied().unwrap_or(0),
                    s.file.id.clone(),
                )
            });
        if let Some(s) = best {
            return Some((p, c, mean, s.file.id.clone()));
        }
    }
    None
}

/// Replays each visit whose scenario is in the library in the same version, and counts per
/// decision how often the best line was missed; most missed first.
fn missed_decisions(visits: &[Visit], library: &[Arc<Scenario>]) -> (Vec<MissedDecision>, usize) {
    let by_id: HashMap<&str, &Arc<Scenario>> =
        library.iter().map(|s| (s.file.id.as_str(), s)).collect();
    let mut groups: BTreeMap<&str, Vec<&Visit>> = BTreeMap::new();
    let mut not_replayed = 0;
    for v in visits {
        match by_id.get(v.scenario_id.as_str()) {
            Some(s) if crate::history::scenario_hash(s) == v.scenario_hash => {
                groups.entry(v.scenario_id.as_str()).or_default().push(v)
            }
            _ => not_replayed += 1,
        }
    }
    let mut tally: BTreeMap<(String, String), MissedDecision> = BTreeMap::new();
    for (id, list) in groups {
        let scn = by_id[id];
        let mut analyzer = Analyzer::new(scn);
        for v in list {
            let mut session = crate::Session::new(scn.clone(), v.seed);
            for &c in &v.choices {
                if session.is_ended() || session.choose(c.saturating_sub(1)).is_err() {
                    break;
                }
            }
            for d in crate::debrief::review_with(&mut analyzer, &session) {
                let line = scn
                    .nodes
                    .iter()
                    .find(|n| n.id == d.node)
                    .map(|n| n.say.to_string())
                    .unwrap_or_default();
                let entry = tally
                    .entry((id.to_string(), d.node.clone()))
                    .or_insert_with(|| MissedDecision {
                        scenario_id: id.to_string(),
                        title: scn.file.title.clone(),
                        node: d.node.clone(),
                        line,
                        best_choice: d.best_choice.clone(),
                        attempts: 0,
                        missed: 0,
                    });
                entry.attempts += 1;
                if !d.was_best {
                    entry.missed += 1;
                }
            }
        }
    }
    let mut missed: Vec<MissedDecision> = tally.into_values().filter(|m| m.missed > 0).collect();
    missed.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then((b.missed * a.attempts).cmp(&(a.missed * b.attempts)))
            .then(a.scenario_id.cmp(&b.scenario_id))
            .then(a.node.cmp(&b.node))
    });
    missed.truncate(MISSED_SHOWN);
    (missed, not_replayed)
}

/// The view as CSV (UTF-8 with a byte-order mark, for Excel): the heat map, the trainees,
/// the most missed decisions and the scenario to run next, each as a block with its header.
pub fn to_csv(view: &ClassView, locale: crate::vocabulary::Locale) -> String {
    use crate::export::csv_field;
    use crate::text::{T, tr};
    let row = |fields: Vec<String>| {
        fields
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    let mut out = String::from("\u{feff}");
    out += &row(vec![tr(T::ClassHeatMap, locale).to_string()]);
    let mut header = vec![String::new()];
    header.extend(Category::ALL.iter().map(|c| c.name(locale).to_string()));
    out += &row(header);
    for p in Personality::ALL {
        let mut fields = vec![p.name(locale).to_string()];
        for c in Category::ALL {
            let cell = view.map[p.index()][c.index()];
            fields.push(
                cell.mean
                    .map_or(String::new(), |m| format!("{m:.0} ({})", cell.visits)),
            );
        }
        out += &row(fields);
    }
    out += "\r\n";
    out += &row(vec![
        tr(T::Trainee, locale).into(),
        tr(T::ClassVisits, locale).into(),
        tr(T::ClassMeanScore, locale).into(),
        tr(T::ClassTrustEnd, locale).into(),
        tr(T::ClassWeakest, locale).into(),
    ]);
    for t in &view.trainees {
        out += &row(vec![
            t.trainee.clone(),
            t.visits.to_string(),
            format!("{:.0}", t.mean_score),
            t.mean_trust_end
                .map_or(String::new(), |x| format!("{x:.0}")),
            t.weakest.map_or(String::new(), |(p, c)| {
                format!("{} × {}", p.name(locale), c.name(locale))
            }),
        ]);
    }
    out += "\r\n";
    out += &row(vec![tr(T::ClassMostMissed, locale).to_string()]);
    for m in &view.missed {
        out += &row(vec![
            m.title.clone(),
            m.line.clone(),
            crate::text::fill(tr(T::ClassMissedBy, locale), &[&m.missed, &m.attempts]),
            m.best_choice.clone(),
        ]);
    }
    if let Some((p, c, mean, id)) = &view.run_next {
        out += "\r\n";
        out += &row(vec![
            tr(T::ClassRunNext, locale).to_string(),
            id.clone(),
            crate::text::fill(
                tr(T::ClassRunNextWhy, locale),
                &[&p.name(locale), &c.name(locale), &format!("{mean:.0}")],
            ),
        ]);
    }
    out
}
