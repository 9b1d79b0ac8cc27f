//! Scenario folders on disk: finding files, reading them, the folder's model and the checks
//! that span files (translation pairs). The only part of the library that reads files.

use crate::account::Account;
use crate::compile::{Scenario, check_relative_path, compare_translations, load_scenario};
use crate::load::{Location, Problem};
use crate::model::Model;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const MODEL_FILE: &str = "_model.ron";
/// Accounts live in this subfolder of a scenario folder, their visits in folders beside them.
pub const ACCOUNTS_FOLDER: &str = "accounts";

/// An account file (`*.account.ron`), as opposed to a scenario.
pub fn is_account_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".account.ron"))
}

/// The account files of a scenario folder (in its `accounts` subfolder), sorted; names
/// starting with `_` (the template) are left out.
pub fn accounts_in(folder: &Path) -> Vec<PathBuf> {
    let dir = folder.join(ACCOUNTS_FOLDER);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_account_file(p))
                // `_template.account.ron` is validated but is not an account to follow.
                .filter(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('_'))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Files whose names start with `_` are not scenarios (the model, the template) and are left
/// out of listings; `_template.ron` is still validated when named or when validating a folder.
pub fn is_listed_scenario(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ron")
        && !is_account_file(path)
        && !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('_'))
}

fn is_validated_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ron")
        && path.file_name().and_then(|n| n.to_str()) != Some(MODEL_FILE)
}

/// Expands folders into the scenario files inside them (sorted), keeping named files as given.
/// For validation (`include_underscored`) subfolders are searched too — the accounts and
/// their visits; a listing shows only a folder's own scenarios.
pub fn expand(paths: &[PathBuf], include_underscored: bool) -> Result<Vec<PathBuf>, Problem> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| io_problem(path, &e))?;
            let all: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            let mut found: Vec<PathBuf> = all
                .iter()
                .filter(|p| p.is_file())
                .filter(|p| {
                    if include_underscored {
                        is_validated_file(p)
                    } else {
                        is_listed_scenario(p)
                    }
                })
                .cloned()
                .collect();
            found.sort();
            out.extend(found);
            if include_underscored {
                let mut folders: Vec<PathBuf> = all.into_iter().filter(|p| p.is_dir()).collect();
                folders.sort();
                out.extend(expand(&folders, true)?);
            }
        } else if path.exists() {
            out.push(path.clone());
        } else {
            return Err(Problem {
                source: path.display().to_string(),
                location: Location { line: 1, column: 1 },
                message: "no such file or folder".into(),
            });
        }
    }
    Ok(out)
}

fn io_problem(path: &Path, e: &std::io::Error) -> Problem {
    Problem {
        source: path.display().to_string(),
        location: Location { line: 1, column: 1 },
        message: format!("cannot read: {e}"),
    }
}

pub fn read_text(path: &Path) -> Result<String, Problem> {
    use std::io::Read;
    let source = path.display().to_string();
    let refuse = |message: String| Problem {
        source: source.clone(),
        location: Location { line: 1, column: 1 },
        message,
    };
    // Check before reading: a device such as /dev/zero would otherwise be read forever.
    let meta = std::fs::metadata(path).map_err(|e| io_problem(path, &e))?;
    if !meta.is_file() {
        return Err(refuse(
            "this is not a regular file (a folder, a device or a pipe); give a .ron file".into(),
        ));
    }
    if meta.len() > crate::load::MAX_FILE_BYTES as u64 {
        return Err(refuse(format!(
            "the file is {} bytes; files may be at most {} bytes",
            meta.len(),
            crate::load::MAX_FILE_BYTES
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(crate::load::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| io_problem(path, &e))?;
    crate::load::decode_text(bytes, &source)
}

/// Loads scenarios, using each folder's `_model.ron` when it has one.
#[derive(Default)]
pub struct Catalog {
    models: HashMap<PathBuf, Result<Arc<Model>, Vec<Problem>>>,
}

impl Catalog {
    /// The model of the nearest folder at or above the scenario that has a `_model.ron` (an
    /// account's visits, in a subfolder, use the scenario folder's), else the built-in one.
    pub fn model_for(&mut self, scenario_path: &Path) -> Result<Arc<Model>, Vec<Problem>> {
        let own = scenario_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let dir = own
            .ancestors()
            .find(|d| d.join(MODEL_FILE).is_file())
            .map(Path::to_path_buf)
            .unwrap_or(own);
        self.models
            .entry(dir.clone())
            .or_insert_with(|| {
                let path = dir.join(MODEL_FILE);
                if path.is_file() {
                    let text = read_text(&path).map_err(|p| vec![p])?;
                    Model::parse(&text, &path.display().to_string()).map(Arc::new)
                } else {
                    Ok(Model::builtin())
                }
            })
            .clone()
    }

    pub fn load(&mut self, path: &Path) -> Result<Scenario, Vec<Problem>> {
        let model = self.model_for(path)?;
        let text = read_text(path).map_err(|p| vec![p])?;
        load_scenario(&text, &path.display().to_string(), model)
    }

    /// Loads an account and the scenarios of its visits and interlude.
    pub fn load_account(&mut self, path: &Path) -> Result<Account, Vec<Problem>> {
        let model = self.model_for(path)?;
        let text = read_text(path).map_err(|p| vec![p])?;
        let source = path.display().to_string();
        let file = crate::account::parse(&text, &source).map_err(|p| vec![p])?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut resolve = |rel: &str| -> Result<Arc<Scenario>, String> {
            let scenario_path = dir.join(rel);
            if !scenario_path.is_file() {
                return Err("no such file".into());
            }
            self.load(&scenario_path).map(Arc::new).map_err(|problems| {
                format!(
                    "{} problem(s), the first: {}",
                    problems.len(),
                    problems.first().map(|p| p.to_string()).unwrap_or_default()
                )
            })
        };
        crate::account::compile(file, &text, &source, model, &mut resolve)
    }
}

/// The result of loading a set of files: scenarios that loaded and every problem found.
pub struct Loaded {
    pub scenarios: Vec<(PathBuf, Scenario)>,
    pub accounts: Vec<(PathBuf, Account)>,
    pub problems: BTreeMap<PathBuf, Vec<Problem>>,
    pub files: Vec<PathBuf>,
}

/// Loads every file, then checks translation pairs among them (loading partners as needed).
pub fn load_all(files: &[PathBuf]) -> Loaded {
    let mut catalog = Catalog::default();
    let mut scenarios = Vec::new();
    let mut accounts: Vec<(PathBuf, Account)> = Vec::new();
    let mut problems: BTreeMap<PathBuf, Vec<Problem>> = BTreeMap::new();
    for path in files {
        problems.entry(path.clone()).or_default();
        if is_account_file(path) {
            match catalog.load_account(path) {
                Ok(a) => accounts.push((path.clone(), a)),
                Err(p) => problems.entry(path.clone()).or_default().extend(p),
            }
            continue;
        }
        match catalog.load(path) {
            Ok(s) => scenarios.push((path.clone(), s)),
            Err(p) => problems.entry(path.clone()).or_default().extend(p),
        }
    }
    let mut checked = std::collections::HashSet::new();
    let by_path: HashMap<PathBuf, usize> = scenarios
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (normalise(p), i))
        .collect();
    for (path, scn) in &scenarios {
        let Some(rel) = &scn.file.translation else {
            continue;
        };
        if check_relative_path(rel).is_err() {
            continue; // already reported by validation
        }
        let partner_path = path.parent().unwrap_or(Path::new(".")).join(rel);
        let key = normalise(&partner_path);
        let pair = {
            let mut a = normalise(path);
            let mut b = key.clone();
            if b < a {
                std::mem::swap(&mut a, &mut b);
            }
            (a, b)
        };
        if !checked.insert(pair) {
            continue;
        }
        let partner = match by_path.get(&key) {
            Some(&i) => Some(scenarios[i].1.clone()),
            None if partner_path.is_file() => catalog.load(&partner_path).ok(),
            None => {
                problems.entry(path.clone()).or_default().push(Problem {
                    source: path.display().to_string(),
                    location: Location { line: 1, column: 1 },
                    message: format!("translation `{rel}` does not exist"),
                });
                continue;
            }
        };
        if let Some(partner) = partner {
            problems
                .entry(path.clone())
                .or_default()
                .extend(translation_problems(path, scn, &partner_path, &partner));
        }
    }
    // The history keeps a trainee's runs by account id: two files may not share one.
    let mut ids: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    for (path, account) in &accounts {
        if let Some(first) = ids.insert(account.id(), path) {
            problems.entry(path.clone()).or_default().push(Problem {
                source: path.display().to_string(),
                location: Location { line: 1, column: 1 },
                message: format!(
                    "account id `{}` is also the id of {}; each account (and each language of it) needs its own",
                    account.id(),
                    first.display()
                ),
            });
        }
    }
    for (path, account) in &accounts {
        let Some(rel) = &account.file.translation else {
            continue;
        };
        if check_relative_path(rel).is_err() {
            continue;
        }
        let partner_path = path.parent().unwrap_or(Path::new(".")).join(rel);
        // Each pair once: from the file whose path sorts first.
        if normalise(&partner_path) < normalise(path)
            && files
                .iter()
                .any(|f| normalise(f) == normalise(&partner_path))
        {
            continue;
        }
        let here = problems.entry(path.clone()).or_default();
        if !partner_path.is_file() {
            here.push(Problem {
                source: path.display().to_string(),
                location: Location { line: 1, column: 1 },
                message: format!("translation `{rel}` does not exist"),
            });
            continue;
        }
        if let Ok(partner) = catalog.load_account(&partner_path) {
            for message in crate::account::compare_translations(account, &partner) {
                here.push(Problem {
                    source: partner_path.display().to_string(),
                    location: Location { line: 1, column: 1 },
                    message: format!("differs from its translation: {message}"),
                });
            }
        }
    }
    Loaded {
        scenarios,
        accounts,
        problems,
        files: files.to_vec(),
    }
}

/// What is wrong between a scenario at `path` and its translation at `partner_path`: the
/// partner must name it back, and the two must match in everything that scores. The CLI's
/// `load_all` and the app's library both check pairs through this.
pub fn translation_problems(
    path: &Path,
    scn: &Scenario,
    partner_path: &Path,
    partner: &Scenario,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(back) = &partner.file.translation
        && normalise(&partner_path.parent().unwrap_or(Path::new(".")).join(back)) != normalise(path)
    {
        problems.push(Problem {
            source: partner.source.clone(),
            location: Location { line: 1, column: 1 },
            message: format!("its `translation` names `{back}`, not {}", path.display()),
        });
    }
    problems.extend(compare_translations(scn, partner));
    problems
}

/// The names of every scenario and account under `folder` in each language they exist in, by
/// id — a scenario's own title and its translation's — for xAPI activity definitions.
pub fn names_by_id(folder: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let files = expand(&[folder.to_path_buf()], true).unwrap_or_default();
    let loaded = load_all(&files);
    let tag = |l: crate::vocabulary::Locale| crate::xapi::language_tag(l.code()).to_string();
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let by_path: HashMap<PathBuf, &Scenario> = loaded
        .scenarios
        .iter()
        .map(|(p, s)| (normalise(p), s))
        .collect();
    for (path, scn) in &loaded.scenarios {
        let names = out.entry(scn.id().to_string()).or_default();
        names.insert(tag(scn.locale()), scn.file.title.clone());
        if let Some(rel) = &scn.file.translation
            && let Some(partner) = by_path.get(&normalise(
                &path.parent().unwrap_or(Path::new(".")).join(rel),
            ))
        {
            names.insert(tag(partner.locale()), partner.file.title.clone());
        }
    }
    let accounts: HashMap<PathBuf, &Account> = loaded
        .accounts
        .iter()
        .map(|(p, a)| (normalise(p), a))
        .collect();
    for (path, account) in &loaded.accounts {
        let names = out.entry(account.id().to_string()).or_default();
        names.insert(tag(account.locale()), account.file.title.clone());
        if let Some(rel) = &account.file.translation
            && let Some(partner) = accounts.get(&normalise(
                &path.parent().unwrap_or(Path::new(".")).join(rel),
            ))
        {
            names.insert(tag(partner.locale()), partner.file.title.clone());
        }
    }
    out
}

/// `path` with `.` and `..` resolved without touching the disk.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
