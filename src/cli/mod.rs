//! The `rapport` command line: validate, list, analyze, play, simulate and test scenarios.
//!
//! Exit codes: 0 all good, 1 problems found, 2 the command was used wrongly.

mod account;
mod organisation;
mod play;

use clap::{Parser, Subcommand};
use rapport::analysis::{Analysis, PathStep, analyze};
use rapport::catalog::{self, Catalog, expand, load_all};
use rapport::cues::Policy;
use rapport::load::Problem;
use rapport::recording::{Recording, diff_events, replay};
use rapport::vocabulary::Personality;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "rapport",
    version,
    about = "Rapport: practise handling sales objections"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check scenario files (or every scenario in folders) and report every problem.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// List the scenarios in folders (default: ./scenarios).
    List {
        /// What to list: `scenarios`.
        #[arg(value_parser = ["scenarios"])]
        what: String,
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Explore every path of a scenario: best, worst and random play, endings, points of no return.
    Analyze {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Play a scenario in the terminal, or scripted with --choices; or an account
    /// (`*.account.ron`) visit by visit, scripted with --steps.
    Play {
        file: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_parser = parse_personality)]
        personality: Option<Personality>,
        /// 1-based choice numbers, e.g. 2,1,3; without it the terminal asks.
        #[arg(long, value_delimiter = ',')]
        choices: Option<Vec<usize>>,
        /// Write the playthrough to this file, to replay later with `rapport test`.
        #[arg(long)]
        record: Option<PathBuf>,
        /// Save the finished session in this trainee's history (created if new); an account
        /// resumes where the trainee left it and is saved after every step.
        #[arg(long)]
        profile: Option<String>,
        /// An account's choices, step by step: `1,2,3/2,1` (the steps not given are left for
        /// later).
        #[arg(long)]
        steps: Option<String>,
        /// Start the account afresh, even if the trainee has one under way.
        #[arg(long)]
        new: bool,
        #[arg(long)]
        json: bool,
    },
    /// The finished sessions in the history on this PC, of one trainee or of all.
    History {
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A trainee's (or the whole PC's) history as a file: CSV that Excel opens with Chinese
    /// intact, one row per visit; or JSON with every report.
    Export {
        #[arg(long)]
        profile: Option<String>,
        /// csv, json, or xapi (xAPI 1.0.3 statements, for an LMS that imports files).
        #[arg(long, default_value = "csv")]
        format: String,
        /// The scenario folder, for the activities' names in both languages (xapi).
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// The organisation's home page the trainees' xAPI accounts belong to.
        #[arg(long, default_value = "https://rapport.training/trainees")]
        home_page: String,
        /// Where to write it; without it, standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Send finished visits and accounts to the learning record store set in the app's
    /// settings (statements wait in the history's outbox until the store takes them).
    Sync {
        /// The scenario folder, for the activities' names in both languages.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
    },
    /// The trainer's class view: heat map, trainees, most-missed decisions, what to run next.
    Class {
        /// A folder of xAPI statement files exported from the trainees' PCs.
        folder: Option<PathBuf>,
        /// Fetch the class's statements from the learning record store in the settings.
        #[arg(long)]
        lrs: bool,
        /// The class (xAPI team) to fetch; the settings' class by default.
        #[arg(long)]
        group: Option<String>,
        /// The scenario library the visits are replayed against.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// Write the view as CSV (for Excel) instead of printing it.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// en or zh-CN.
        #[arg(long, default_value = "en")]
        language: String,
        #[arg(long)]
        json: bool,
    },
    /// One trainee's progress: mastery per personality × objection and what to practise next.
    Progress {
        #[arg(long)]
        profile: String,
        #[arg(long)]
        json: bool,
    },
    /// Random play, many times: the score distribution.
    Simulate {
        file: PathBuf,
        #[arg(short = 'n', long = "runs", default_value_t = 1000)]
        runs: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How the simulated player picks: random, longest, shortest or first.
        #[arg(long, default_value = "random", value_parser = parse_policy)]
        policy: Policy,
        #[arg(long)]
        json: bool,
    },
    /// Run the library's quality gate on scenario files or folders: reachability,
    /// discrimination, structure and surface cues (can the longest line win?). Given account
    /// files (`*.account.ron`), the account gate: every visit reached, trust in the
    /// organisation only in the last visits, neglect provably ending lower.
    Gate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Replay recorded playthroughs and compare their events.
    Test {
        #[arg(required = true)]
        recordings: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Open the desktop app at a given point: a scenario, seed, choices and screen (for class
    /// preparation, and the smoke test's screenshots).
    Open {
        /// A scenario file name inside the scenario folder, e.g. analytical-price.en.ron.
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_delimiter = ',')]
        choices: Vec<usize>,
        /// library, briefing, roleplay, debrief, progress, account, class or settings.
        #[arg(long, default_value = "library")]
        screen: String,
        /// en or zh-CN (this run only; the saved setting is unchanged).
        #[arg(long)]
        language: Option<String>,
        #[arg(long)]
        presentation: bool,
        /// Fill the screen (F11 toggles it in the app).
        #[arg(long)]
        fullscreen: bool,
        /// Practise as this trainee (created if new); `--screen progress` shows their progress.
        #[arg(long)]
        trainee: Option<String>,
        /// An account file inside the scenario folder, e.g. accounts/dr-ma.en.account.ron;
        /// `--screen account` shows it.
        #[arg(long)]
        account: Option<String>,
        /// The account's steps to play first, e.g. `1,2/1,1` (as `rapport play --steps`).
        #[arg(long)]
        steps: Option<String>,
        /// Start a class vote on the role-play screen (with --presentation): the phones' page
        /// is served at the settings' `class_vote_address`.
        #[arg(long)]
        class_vote: bool,
    },
    /// Print the library table (Markdown) for docs/library.md.
    Library {
        #[arg(default_value = "scenarios")]
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn parse_policy(s: &str) -> Result<Policy, String> {
    Policy::parse(s).ok_or_else(|| {
        format!(
            "unknown policy `{s}`; expected one of: {}",
            Policy::ALL.map(|p| p.name()).join(", ")
        )
    })
}

fn parse_personality(s: &str) -> Result<Personality, String> {
    Personality::from_code(&s.to_lowercase()).ok_or_else(|| {
        format!(
            "unknown personality `{s}`; expected one of: {}",
            Personality::ALL
                .iter()
                .map(|p| p.code())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

pub fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        None => open_app(),
        Some(command) => run(command),
    }
}

/// `rapport analyze x.ron | head` should end quietly, as command-line tools do, instead of
/// panicking on the closed pipe.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: resetting a signal disposition to its default before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(feature = "gui")]
fn open_app() -> ExitCode {
    rapport::app::run(None)
}

#[cfg(not(feature = "gui"))]
fn open_app() -> ExitCode {
    eprintln!(
        "this build of rapport has no desktop app (built without the `gui` feature); see `rapport --help`"
    );
    ExitCode::from(2)
}

/// Where `rapport open` opens the app. (Built without the desktop shell, `open` only says so.)
#[cfg_attr(not(feature = "gui"), allow(dead_code))]
struct OpenArgs {
    scenario: Option<String>,
    seed: u64,
    choices: Vec<usize>,
    screen: String,
    language: Option<String>,
    presentation: bool,
    fullscreen: bool,
    trainee: Option<String>,
    account: Option<String>,
    steps: Option<String>,
    class_vote: bool,
}

#[cfg(feature = "gui")]
fn open_at(args: OpenArgs) -> ExitCode {
    use rapport::app::{OpenRequest, Screen};
    let screen = match args.screen.as_str() {
        "library" => Screen::Library,
        "briefing" => Screen::Briefing,
        "roleplay" => Screen::RolePlay,
        "debrief" => Screen::Debrief,
        "settings" => Screen::Settings,
        "class" => Screen::Class,
        "progress" => Screen::Progress,
        "account" => Screen::Account,
        other => {
            eprintln!(
                "unknown screen `{other}`; expected library, briefing, roleplay, debrief, progress, account, class or settings"
            );
            return ExitCode::from(2);
        }
    };
    let language = match args
        .language
        .as_deref()
        .map(|l| rapport::vocabulary::Locale::from_code(l).ok_or(l))
    {
        Some(Err(l)) => {
            eprintln!("unknown language `{l}`; expected en or zh-CN");
            return ExitCode::from(2);
        }
        Some(Ok(l)) => Some(l),
        None => None,
    };
    let steps = match args.steps.as_deref().map(account::parse_steps).transpose() {
        Ok(steps) => steps.unwrap_or_default(),
        Err(why) => {
            eprintln!("{why}");
            return ExitCode::from(2);
        }
    };
    rapport::app::run(Some(OpenRequest {
        account: args.account,
        steps,
        scenario: args.scenario,
        seed: args.seed,
        choices: args.choices,
        screen,
        language,
        presentation: args.presentation,
        fullscreen: args.fullscreen,
        trainee: args.trainee,
        class_vote: args.class_vote,
    }))
}

#[cfg(not(feature = "gui"))]
fn open_at(_: OpenArgs) -> ExitCode {
    open_app()
}

pub fn run(command: Command) -> ExitCode {
    let code = match command {
        Command::Validate { paths, json } => validate(&paths, json),
        Command::List { paths, json, .. } => list(&paths, json),
        Command::Analyze { file, json } => analyze_cmd(&file, json),
        Command::Play {
            file,
            seed,
            personality,
            choices,
            record,
            profile,
            steps,
            new,
            json,
        } if catalog::is_account_file(&file) => {
            if choices.is_some() || personality.is_some() {
                eprintln!(
                    "an account is scripted with --steps (e.g. 1,2/3,1); its customer's personality is the account's"
                );
                return std::process::ExitCode::from(2);
            }
            account::play_account(account::AccountPlay {
                file: &file,
                seed,
                steps: steps.as_deref(),
                record_to: record.as_deref(),
                profile: profile.as_deref(),
                new,
                json,
            })
        }
        Command::Play {
            file,
            seed,
            personality,
            choices,
            record,
            profile,
            json,
            ..
        } => play::play(
            &file,
            seed,
            personality,
            choices,
            record.as_deref(),
            profile.as_deref(),
            json,
        ),
        Command::History { profile, json } => history(profile.as_deref(), json),
        Command::Export {
            profile,
            format,
            out,
            scenarios,
            home_page,
        } => export(
            profile.as_deref(),
            &format,
            out.as_deref(),
            &scenarios,
            &home_page,
        ),
        Command::Progress { profile, json } => progress(&profile, json),
        Command::Sync { scenarios } => organisation::sync(&scenarios),
        Command::Class {
            folder,
            lrs,
            group,
            scenarios,
            csv,
            language,
            json,
        } => match rapport::vocabulary::Locale::from_code(&language) {
            Some(language) => organisation::class(organisation::ClassArgs {
                folder: folder.as_deref(),
                lrs,
                group: group.as_deref(),
                scenarios: &scenarios,
                csv: csv.as_deref(),
                language,
                json,
            }),
            None => {
                eprintln!("unknown language `{language}`; expected en or zh-CN");
                2
            }
        },
        Command::Simulate {
            file,
            runs,
            seed,
            policy,
            json,
        } => simulate(&file, runs, seed, policy, json),
        Command::Gate { paths, json } => gate(&paths, json),
        Command::Test { recordings, json } => test(&recordings, json),
        Command::Library { path, json } => library(&path, json),
        Command::Open {
            scenario,
            seed,
            choices,
            screen,
            language,
            presentation,
            fullscreen,
            trainee,
            account,
            steps,
            class_vote,
        } => {
            return open_at(OpenArgs {
                account,
                steps,
                class_vote,
                scenario,
                seed,
                choices,
                screen,
                language,
                presentation,
                fullscreen,
                trainee,
            });
        }
    };
    ExitCode::from(code)
}

#[derive(Serialize)]
struct AccountGateOut {
    file: String,
    figures: Vec<rapport::gate::AccountFigures>,
    problems: Vec<String>,
}

#[derive(Serialize)]
struct GateOut {
    file: String,
    cues: rapport::cues::CueFigures,
    problems: Vec<String>,
}

fn gate(paths: &[PathBuf], json: bool) -> u8 {
    let Some(files) = expand_or_report(paths, false) else {
        return 2;
    };
    let loaded = load_all(&files);
    let problems: Vec<Problem> = loaded.problems.values().flatten().cloned().collect();
    if !problems.is_empty() {
        print_problems(&problems);
        return 1;
    }
    let mut out = Vec::new();
    let mut uses = Vec::new();
    for (path, scn) in loaded.scenarios {
        let scn = Arc::new(scn);
        let analysis = rapport::analysis::analyze(&scn);
        let cues = rapport::cues::figures(&scn, &analysis);
        uses.push(rapport::cues::phrase_uses(&scn));
        out.push(GateOut {
            file: path.display().to_string(),
            problems: rapport::gate::problems(&scn, &analysis, &cues),
            cues,
        });
    }
    let mut accounts = Vec::new();
    for (path, account) in loaded.accounts {
        let account = Arc::new(account);
        let steps = account
            .visits
            .iter()
            .map(|v| (v.scenario.clone(), false))
            .chain(
                account
                    .interludes
                    .iter()
                    .map(|i| (i.scenario.clone(), true)),
            );
        for (scn, interlude) in steps {
            let analysis = rapport::analysis::analyze(&scn);
            let cues = rapport::cues::figures(&scn, &analysis);
            uses.push(rapport::cues::phrase_uses(&scn));
            out.push(GateOut {
                file: scn.source.clone(),
                problems: rapport::gate::step_problems(&scn, &analysis, &cues, interlude),
                cues,
            });
        }
        let figures = rapport::gate::explore_account_seeds(&account);
        let problems = rapport::gate::account_problems(&account, &figures);
        accounts.push(AccountGateOut {
            file: path.display().to_string(),
            figures,
            problems,
        });
    }
    let figures: Vec<_> = out.iter().map(|g| g.cues.clone()).collect();
    let library = rapport::cues::library_problems(&figures, &uses);
    let failed = !library.is_empty()
        || out.iter().any(|g| !g.problems.is_empty())
        || accounts.iter().any(|a| !a.problems.is_empty());
    if json {
        print_json(&serde_json::json!({ "scenarios": out, "library": library }));
    } else {
        for g in &out {
            let c = &g.cues;
            println!(
                "{}: best is the longest line in {}/{} decisions, the shortest in {}; mean score picking longest {:.1}, shortest {:.1}, first {:.1}; random median {}",
                g.file,
                c.best_is_longest,
                c.decisions,
                c.best_is_shortest,
                c.longest_mean,
                c.shortest_mean,
                c.first_mean,
                c.random_median
            );
            for p in &g.problems {
                println!("  FAIL {p}");
            }
        }
        for a in &accounts {
            println!("{}:", a.file);
            for f in &a.figures {
                println!(
                    "  seed {}: best {} over {} step(s) {:?} (choices {}); organisational trust at visit {} of {}; best with a long gap {}, with a broken promise {}; {} runs",
                    f.seed,
                    f.best,
                    f.best_ids.len(),
                    f.best_ids,
                    f.best_steps
                        .iter()
                        .map(|s| s
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(","))
                        .collect::<Vec<_>>()
                        .join("/"),
                    f.organisational_at_visit
                        .map_or("—".to_string(), |v| v.to_string()),
                    f.best_visits,
                    f.best_with_long_gap
                        .map_or("—".to_string(), |v| v.to_string()),
                    f.best_with_broken_promise
                        .map_or("—".to_string(), |v| v.to_string()),
                    f.runs
                );
            }
            for p in &a.problems {
                println!("  FAIL {p}");
            }
        }
        for p in &library {
            println!("FAIL (library) {p}");
        }
        if !failed {
            println!("gate passed");
        }
    }
    if failed { 1 } else { 0 }
}

fn open_history() -> Result<rapport::history::History, u8> {
    let Some(path) = rapport::history::History::default_path() else {
        eprintln!("no data folder for the history; set RAPPORT_DATA_DIR");
        return Err(1);
    };
    match rapport::history::History::open(&path) {
        Ok((h, notice)) => {
            if let Some(n) = notice {
                eprintln!("{n}");
            }
            Ok(h)
        }
        Err(e) => {
            eprintln!("{e}");
            Err(1)
        }
    }
}

/// The profile named `name`, or the exit code after saying there is none.
fn find_profile(
    history: &rapport::history::History,
    name: &str,
) -> Result<rapport::history::Profile, u8> {
    match history.profile(name) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => {
            eprintln!("no trainee profile named `{name}`");
            Err(1)
        }
        Err(e) => {
            eprintln!("{e}");
            Err(1)
        }
    }
}

fn export(
    profile: Option<&str>,
    format: &str,
    out: Option<&Path>,
    scenarios: &Path,
    home_page: &str,
) -> u8 {
    if !matches!(format, "csv" | "json" | "xapi") {
        eprintln!("unknown format `{format}`; expected csv, json or xapi");
        return 2;
    }
    let history = match open_history() {
        Ok(h) => h,
        Err(code) => return code,
    };
    let found = match profile.map(|name| find_profile(&history, name)).transpose() {
        Ok(p) => p,
        Err(code) => return code,
    };
    let read = match &found {
        Some(p) => history.sessions(p),
        None => history.all_sessions(),
    }
    .and_then(|s| Ok((s, history.mistakes_by_session(found.as_ref())?)));
    let (sessions, mistakes) = match read {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let text = match format {
        "csv" => rapport::export::to_csv(&sessions, &|id| {
            mistakes.get(&id).cloned().unwrap_or_default()
        }),
        "json" => rapport::export::to_json(&sessions),
        _ => {
            let names = catalog::names_by_id(scenarios);
            let lookup = |id: &str| names.get(id).cloned().unwrap_or_default();
            let found_statements = rapport::xapi::statements_in(
                &history,
                found.as_ref(),
                0,
                &Default::default(),
                home_page,
                &lookup,
            );
            let statements: Vec<serde_json::Value> = match found_statements {
                Ok(s) => s.into_iter().map(|(_, statement)| statement).collect(),
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            };
            serde_json::to_string_pretty(&statements).unwrap_or_default()
        }
    };
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("{}: cannot write: {e}", path.display());
                return 1;
            }
            eprintln!(
                "{} session(s) written to {}",
                sessions.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    0
}

fn history(profile: Option<&str>, json: bool) -> u8 {
    let history = match open_history() {
        Ok(h) => h,
        Err(code) => return code,
    };
    let sessions = match profile {
        Some(name) => match find_profile(&history, name) {
            Ok(p) => history.sessions(&p),
            Err(code) => return code,
        },
        None => history.all_sessions(),
    };
    let sessions = match sessions {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if json {
        print_json(&sessions);
    } else {
        println!(
            "{} session(s) in {}",
            sessions.len(),
            history.path().display()
        );
        for s in &sessions {
            let r = &s.record;
            println!(
                "  {:<16} {:<36} {:<11} seed {:<6} {:>3}/100  {}",
                s.profile,
                r.scenario_id,
                r.personality.code(),
                r.seed,
                r.score,
                r.mode
            );
        }
    }
    0
}

fn progress(profile: &str, json: bool) -> u8 {
    let history = match open_history() {
        Ok(h) => h,
        Err(code) => return code,
    };
    let found = match find_profile(&history, profile) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let read = history.scores(&found).and_then(|s| {
        Ok((
            s,
            history.technique_uses(&found)?,
            history.accounts(&found)?,
        ))
    });
    let (sessions, techniques, accounts) = match read {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let p = rapport::history::progress(&sessions);
    if json {
        print_json(&serde_json::json!({
            "progress": p,
            "techniques": techniques,
            "accounts": accounts.iter().map(|a| serde_json::json!({
                "account": a.record.account_id,
                "title": a.record.title,
                "steps": a.record.steps.len(),
                "stage": a.record.stage,
                "trust": a.record.trust,
                "score": a.record.score,
                "finished": a.record.finished,
            })).collect::<Vec<_>>(),
        }));
    } else {
        use rapport::vocabulary::{Category, Personality};
        println!(
            "{profile}: {} session(s); mean of the last {} scores per cell (sessions)",
            p.sessions,
            rapport::history::RECENT_PER_CELL
        );
        print!("  {:<12}", "");
        for c in Category::ALL {
            print!("{:>12}", c.code());
        }
        println!();
        for pers in Personality::ALL {
            print!("  {:<12}", pers.code());
            for c in Category::ALL {
                let cell = p.map[pers.index()][c.index()];
                match cell.mean {
                    Some(m) => print!("{:>12}", format!("{m:.0} ({})", cell.sessions)),
                    None => print!("{:>12}", "-"),
                }
            }
            println!();
        }
        let next: Vec<String> = p
            .practise_next
            .iter()
            .map(|(pers, c)| format!("{} × {}", pers.code(), c.code()))
            .collect();
        println!("practise next: {}", next.join(", "));
        let mut mistakes: Vec<(&str, u32)> = Vec::new();
        for t in techniques.iter().filter(|t| t.mistake) {
            match mistakes.iter_mut().find(|(id, _)| *id == t.technique) {
                Some(m) => m.1 += t.uses,
                None => mistakes.push((&t.technique, t.uses)),
            }
        }
        mistakes.sort_by_key(|m| std::cmp::Reverse(m.1));
        if !mistakes.is_empty() {
            let list: Vec<String> = mistakes
                .iter()
                .map(|(id, n)| format!("{id} ×{n}"))
                .collect();
            println!("most frequent mistakes: {}", list.join(", "));
        }
        for a in &accounts {
            println!(
                "account {}: {} step(s), {}, trust {}, {}/100{}",
                a.record.account_id,
                a.record.steps.len(),
                a.record.stage.code(),
                a.record.trust,
                a.record.score,
                if a.record.finished { ", complete" } else { "" }
            );
        }
    }
    0
}

/// The files named or inside the folders named, or `None` after reporting a missing path.
fn expand_or_report(paths: &[PathBuf], include_underscored: bool) -> Option<Vec<PathBuf>> {
    expand(paths, include_underscored)
        .map_err(|p| print_problems(&[p]))
        .ok()
}

pub(crate) fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

fn json_problems(problems: &[Problem]) -> Vec<JsonProblem<'_>> {
    problems
        .iter()
        .map(|p| JsonProblem {
            file: &p.source,
            line: p.location.line,
            column: p.location.column,
            message: &p.message,
        })
        .collect()
}

fn print_json<T: Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn validate(paths: &[PathBuf], json: bool) -> u8 {
    let Some(files) = expand_or_report(paths, true) else {
        return 1;
    };
    let loaded = load_all(&files);
    let all: Vec<Problem> = loaded.problems.values().flatten().cloned().collect();
    // Not problems: a valid file that is too large to analyse exactly is only estimated.
    let warnings: Vec<String> = loaded
        .scenarios
        .iter()
        .filter_map(|(path, scn)| {
            rapport::analysis::fits_budget(scn).err().map(|why| {
                format!(
                    "{}: warning: too large to analyse exactly; `rapport analyze` and the debrief will estimate. {why}",
                    path.display()
                )
            })
        })
        .collect();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            files: usize,
            problems: Vec<JsonProblem<'a>>,
            warnings: &'a [String],
        }
        print_json(&Out {
            files: files.len(),
            problems: json_problems(&all),
            warnings: &warnings,
        });
    } else {
        print_problems(&all);
        for w in &warnings {
            eprintln!("{w}");
        }
        use std::io::Write;
        let _ = std::io::stderr().flush();
        let bad = loaded.problems.values().filter(|p| !p.is_empty()).count();
        println!(
            "{} file{} checked: {} ok, {} with problems ({} problem{})",
            files.len(),
            plural(files.len()),
            files.len() - bad,
            bad,
            all.len(),
            plural(all.len())
        );
    }
    if all.is_empty() { 0 } else { 1 }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Serialize)]
pub struct ListEntry {
    pub id: String,
    pub title: String,
    pub locale: String,
    pub file: String,
    pub personalities: Vec<String>,
    pub categories: Vec<String>,
    pub difficulty: u8,
    pub minutes: u16,
    pub translation: Option<String>,
    pub drawn: bool,
}

fn list(paths: &[PathBuf], json: bool) -> u8 {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        paths.to_vec()
    };
    let Some(files) = expand_or_report(&paths, false) else {
        return 1;
    };
    let loaded = load_all(&files);
    let entries: Vec<ListEntry> = loaded
        .scenarios
        .iter()
        .map(|(path, s)| ListEntry {
            id: s.file.id.clone(),
            title: s.file.title.clone(),
            locale: s.locale().code().to_string(),
            file: path.display().to_string(),
            personalities: s
                .personalities
                .iter()
                .map(|p| p.code().to_string())
                .collect(),
            categories: s
                .file
                .categories
                .iter()
                .map(|c| c.code().to_string())
                .collect(),
            difficulty: s.file.difficulty,
            minutes: s.file.minutes,
            translation: s.file.translation.clone(),
            drawn: s.drawn,
        })
        .collect();
    let problems: Vec<Problem> = loaded.problems.values().flatten().cloned().collect();
    if json {
        print_json(&entries);
    } else {
        for e in &entries {
            println!(
                "{:<34} {:<6} {:<24} {:<22} d{} {:>3} min  {}",
                e.id,
                e.locale,
                e.personalities.join("/"),
                e.categories.join(","),
                e.difficulty,
                e.minutes,
                e.title
            );
        }
    }
    print_problems(&problems);
    if problems.is_empty() { 0 } else { 1 }
}

fn load_one(path: &Path) -> Result<rapport::compile::Scenario, u8> {
    Catalog::default().load(path).map_err(|problems| {
        print_problems(&problems);
        1
    })
}

fn analyze_cmd(file: &Path, json: bool) -> u8 {
    let scn = match load_one(file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let analysis = analyze(&scn);
    if json {
        print_json(&analysis);
    } else {
        print_analysis(&analysis);
    }
    0
}

fn path_text(path: &[PathStep]) -> String {
    path.iter()
        .map(|s| match s {
            PathStep::Chose { number, .. } => number.to_string(),
            PathStep::Chance { branch, .. } => format!("[chance {branch}]"),
            PathStep::Ended { node } => format!("→ {node}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_analysis(a: &Analysis) {
    let o = &a.overall;
    match &a.estimate {
        None => {
            println!(
                "{}: exact analysis of {} positions",
                a.scenario, a.positions
            );
            println!(
                "score: best {}  worst {}  random play: median {}  mean {:.1}",
                o.best, o.worst, o.median, o.mean
            );
        }
        Some(e) => {
            println!(
                "{}: ESTIMATE — too large for an exact analysis within {} positions and {} classes",
                a.scenario,
                rapport::analysis::POSITION_BUDGET,
                rapport::analysis::CLASS_BUDGET
            );
            println!("  why: {}", e.why);
            println!(
                "score: best at least {} and worst at most {} (bounds: the best and worst lines found)",
                o.best, o.worst
            );
            println!(
                "random play, from {} seeded playthroughs: median {}  mean {:.1} ± {:.1} (95 %)",
                e.samples, o.median, o.mean, e.mean_margin
            );
            println!("endings and decisions below are what the samples saw, not proof");
        }
    }
    println!(
        "discrimination: best play is {} points above the median of random play{}",
        o.discrimination,
        if o.discrimination >= 30 {
            ""
        } else {
            " (weak: aim for 30 or more)"
        }
    );
    for p in &a.personalities {
        println!(
            "\n[{}] best {}  worst {}  median {}  mean {:.1}",
            p.personality, p.summary.best, p.summary.worst, p.summary.median, p.summary.mean
        );
        println!("  best path:  {}", path_text(&p.best_path));
        println!("  worst path: {}", path_text(&p.worst_path));
    }
    println!("\nendings:");
    for e in &a.endings {
        match (e.reachable, e.best, e.worst) {
            (true, Some(b), Some(w)) => println!(
                "  {:<28} {:<18} reachable, scores {w}–{b}",
                e.node,
                e.outcome.code()
            ),
            (true, _, _) => println!(
                "  {:<28} {:<18} reached in a sample",
                e.node,
                e.outcome.code()
            ),
            (false, _, _) if !a.is_exact() => println!(
                "  {:<28} {:<18} not reached by any sample",
                e.node,
                e.outcome.code()
            ),
            _ => println!("  {:<28} {:<18} UNREACHABLE", e.node, e.outcome.code()),
        }
    }
    println!("\ndecisions (best score still reachable after each choice):");
    for d in &a.decisions {
        println!(
            "  {} (best here {})",
            d.node,
            d.best_here
                .map(|b| b.to_string())
                .unwrap_or_else(|| "-".into())
        );
        for c in &d.choices {
            let after = c
                .best_after
                .map(|b| b.to_string())
                .unwrap_or_else(|| "never offered".into());
            println!(
                "    {}. {:>3}{}{}  {}",
                c.choice,
                after,
                if c.no_return {
                    "  point of no return"
                } else {
                    ""
                },
                if c.mistake { "  (mistake)" } else { "" },
                truncate(&c.text, 70)
            );
        }
    }
    if !a.unreached_nodes.is_empty() {
        println!("\nnodes no play reaches: {}", a.unreached_nodes.join(", "));
    }
    if !a.best_avoids_mistakes {
        println!("\nwarning: the best score needs a choice marked as a mistake");
    }
    if let Some(m) = a.best_with_mistake
        && m >= o.best
    {
        println!("\nwarning: a line with a mistake also reaches the best score ({m})");
    }
    println!("\nscore distribution under random play:");
    print_histogram(&o.distribution);
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn print_histogram(dist: &[(u32, f64)]) {
    let mut buckets = [0.0f64; 10];
    for &(s, p) in dist {
        buckets[(s.min(99) / 10) as usize] += p;
    }
    for (i, p) in buckets.iter().enumerate() {
        let bar = "█".repeat((p * 50.0).round() as usize);
        println!(
            "  {:>3}–{:<3} {:>5.1}% {}",
            i * 10,
            i * 10 + 9 + usize::from(i == 9),
            p * 100.0,
            bar
        );
    }
}

#[derive(Serialize)]
struct SimulationOut {
    scenario: String,
    runs: u32,
    seed: u64,
    mean: f64,
    median: u32,
    min: u32,
    max: u32,
    policy: Policy,
    outcomes: Vec<(String, u32)>,
    distribution: Vec<(u32, u32)>,
}

fn simulate(file: &Path, runs: u32, seed: u64, policy: Policy, json: bool) -> u8 {
    let scn = match load_one(file) {
        Ok(s) => Arc::new(s),
        Err(code) => return code,
    };
    let result = rapport::analysis::simulate(&scn, runs, seed, policy);
    let out = SimulationOut {
        scenario: scn.file.id.clone(),
        runs,
        seed,
        mean: result.mean(),
        median: result.median(),
        policy,
        min: result.scores.iter().copied().min().unwrap_or(0),
        max: result.scores.iter().copied().max().unwrap_or(0),
        outcomes: result
            .outcomes
            .iter()
            .map(|(o, n)| (o.code().to_string(), *n))
            .collect(),
        distribution: result.histogram(),
    };
    if json {
        print_json(&out);
    } else {
        println!(
            "{}: {} playthroughs from seed {}, choosing {}",
            out.scenario,
            runs,
            seed,
            policy.name()
        );
        println!(
            "score: mean {:.1}  median {}  min {}  max {}",
            out.mean, out.median, out.min, out.max
        );
        for (o, n) in &out.outcomes {
            println!(
                "  {:<18} {:>6} ({:.1}%)",
                o,
                n,
                100.0 * *n as f64 / runs.max(1) as f64
            );
        }
        let dist: Vec<(u32, f64)> = out
            .distribution
            .iter()
            .map(|&(s, n)| (s, n as f64 / runs.max(1) as f64))
            .collect();
        print_histogram(&dist);
    }
    0
}

fn test(recordings: &[PathBuf], json: bool) -> u8 {
    let Some(files) = expand_or_report(recordings, true) else {
        return 1;
    };
    let mut catalog = Catalog::default();
    let mut passed = 0;
    let mut failures: Vec<(String, String)> = Vec::new();
    for path in &files {
        let outcome = (|| -> Result<(), String> {
            let text = catalog::read_text(path).map_err(|p| p.to_string())?;
            if let Ok(rec) = rapport::load::parse_ron::<rapport::recording::AccountRecording>(
                &text,
                &path.display().to_string(),
            ) {
                let account_path = path.parent().unwrap_or(Path::new(".")).join(&rec.account);
                let account = catalog.load_account(&account_path).map_err(|ps| {
                    ps.iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                })?;
                let (_, events) =
                    rapport::recording::replay_account(Arc::new(account), rec.seed, &rec.steps)?;
                return match diff_events(&rec.events, &events) {
                    None => Ok(()),
                    Some(diff) => Err(diff),
                };
            }
            let rec: Recording = rapport::load::parse_ron(&text, &path.display().to_string())
                .map_err(|p| p.to_string())?;
            let scenario_path = path.parent().unwrap_or(Path::new(".")).join(&rec.scenario);
            let scn = catalog.load(&scenario_path).map_err(|ps| {
                ps.iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            let session = replay(Arc::new(scn), rec.seed, rec.personality, &rec.choices)
                .map_err(|e| e.to_string())?;
            match diff_events(&rec.events, session.events()) {
                None => Ok(()),
                Some(diff) => Err(diff),
            }
        })();
        match outcome {
            Ok(()) => passed += 1,
            Err(why) => failures.push((path.display().to_string(), why)),
        }
    }
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            passed: usize,
            failed: usize,
            failures: &'a [(String, String)],
        }
        print_json(&Out {
            passed,
            failed: failures.len(),
            failures: &failures,
        });
    } else {
        for (file, why) in &failures {
            println!("FAIL {file}\n{why}\n");
        }
        println!("{} passed, {} failed", passed, failures.len());
    }
    if failures.is_empty() { 0 } else { 1 }
}

fn library(path: &Path, json: bool) -> u8 {
    let Some(files) = expand_or_report(&[path.to_path_buf()], false) else {
        return 1;
    };
    let loaded = load_all(&files);
    let rows = rapport::analysis::library_rows(&loaded.scenarios);
    if json {
        print_json(&rows);
    } else {
        print!("{}", rapport::analysis::library_markdown(&rows));
    }
    let problems: Vec<Problem> = loaded.problems.values().flatten().cloned().collect();
    print_problems(&problems);
    if problems.is_empty() { 0 } else { 1 }
}
