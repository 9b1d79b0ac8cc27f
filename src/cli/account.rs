//! `rapport play` on an account file: visit after visit in the terminal or scripted, saved and
//! resumed through the trainee's history, with the account report at the end.

use super::play::{drive, print_events};
use rapport::account::{Account, AccountReport, AccountRun};
use rapport::catalog::Catalog;
use rapport::history::{History, Profile};
use rapport::recording::{AccountRecording, account_to_ron};
use rapport::text::{T, fill, tr};
use rapport::vocabulary::Locale;
use std::path::Path;
use std::sync::Arc;

pub struct AccountPlay<'a> {
    pub file: &'a Path,
    pub seed: u64,
    /// Choices per step, e.g. `1,2,3/2,1`; without it the terminal asks.
    pub steps: Option<&'a str>,
    pub record_to: Option<&'a Path>,
    pub profile: Option<&'a str>,
    /// Start the account afresh even when the trainee has one under way.
    pub new: bool,
    pub json: bool,
}

/// Parses `1,2,3/2,1` into the choices of each step.
pub fn parse_steps(text: &str) -> Result<Vec<Vec<usize>>, String> {
    text.split('/')
        .enumerate()
        .map(|(i, step)| {
            step.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|n| {
                    n.trim().parse::<usize>().map_err(|_| {
                        format!(
                            "--steps: step {} has `{}`, expected a choice number",
                            i + 1,
                            n.trim()
                        )
                    })
                })
                .collect()
        })
        .collect()
}

pub fn play_account(args: AccountPlay) -> u8 {
    let account = match Catalog::default().load_account(args.file) {
        Ok(a) => Arc::new(a),
        Err(problems) => {
            super::print_problems(&problems);
            return 1;
        }
    };
    let mut script = match args.steps.map(parse_steps).transpose() {
        Ok(s) => s.map(|steps| steps.into_iter()),
        Err(why) => {
            eprintln!("{why}");
            return 2;
        }
    };
    let locale = account.locale();

    // With a trainee: resume their account where it was left, and save after every step.
    let mut saving: Option<(History, Profile, Option<i64>)> = None;
    let mut run = AccountRun::new(account.clone(), args.seed);
    if let Some(name) = args.profile {
        let opened = History::default_path()
            .ok_or_else(|| "no data folder for the history; set RAPPORT_DATA_DIR".to_string())
            .and_then(|path| History::open(&path).map_err(|e| e.to_string()))
            .and_then(|(history, notice)| {
                if let Some(notice) = notice {
                    eprintln!("{notice}");
                }
                let profile = history.profile_or_create(name).map_err(|e| e.to_string())?;
                Ok((history, profile))
            });
        let (history, profile) = match opened {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{e}");
                return 1;
            }
        };
        let mut row = None;
        if !args.new {
            match history.open_account(&profile, account.id()) {
                Ok(Some(saved)) => {
                    match AccountRun::replay(
                        account.clone(),
                        saved.record.seed,
                        &saved.record.steps,
                    ) {
                        Ok(resumed) => {
                            if !args.json {
                                println!(
                                    "{}",
                                    fill(tr(T::AccountResumed, locale), &[&resumed.steps().len()])
                                );
                            }
                            run = resumed;
                            row = Some(saved.id);
                        }
                        Err(e) => {
                            eprintln!(
                                "{}: the saved account no longer replays on these files ({e}); start it again with --new",
                                args.file.display()
                            );
                            return 1;
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            }
        }
        saving = Some((history, profile, row));
    }

    if !args.json {
        println!("{}\n{}\n", account.file.title, account.file.summary);
    }
    let mut recorded_events = Vec::new();
    let first_step = run.steps().len();
    while let Some(mut session) = run.start_step() {
        if !args.json {
            print_step_heading(&run, locale);
            print_events(session.events(), locale);
        }
        let mut choices = match script.as_mut() {
            Some(steps) => match steps.next() {
                Some(c) => Some(c.into_iter()),
                None => break, // the script stops here; the account stays where it is
            },
            None => None,
        };
        let started = std::time::Instant::now();
        if let Err(code) = drive(&mut session, choices.as_mut(), args.json) {
            return code;
        }
        let took = started.elapsed().as_secs() as u32;
        recorded_events.extend_from_slice(session.events());
        let between = match run.finish_step(&session) {
            Ok(events) => events,
            Err(e) => {
                eprintln!("{e}");
                return 1;
            }
        };
        if !args.json {
            print_events(&between, locale);
            if let Some(step) = run.steps().last() {
                println!(
                    "\n{}",
                    fill(
                        tr(T::AccountStepScored, locale),
                        &[
                            &step.title,
                            &step.score,
                            &step.trust_end,
                            &step.stage_end.name(locale)
                        ]
                    )
                );
            }
        }
        recorded_events.extend(between);
        if let Some((history, profile, row)) = saving.as_mut() {
            let Some(mut session_record) = rapport::history::record(&session, "account") else {
                continue;
            };
            session_record.duration_secs = Some(took);
            let account_record = rapport::history::account_record(&run);
            match history.save_account_step(profile, *row, &account_record, &session_record) {
                Ok(id) => *row = Some(id),
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            }
        }
    }

    if let Some(path) = args.record_to {
        if first_step > 0 {
            eprintln!("--record needs the whole account: start it with --new");
            return 2;
        }
        let rec = AccountRecording {
            account: super::play::relative_to(args.file, path),
            seed: run.seed(),
            steps: run.choices(),
            events: recorded_events,
        };
        if let Err(e) = std::fs::write(path, account_to_ron(&rec)) {
            eprintln!("{}: cannot write: {e}", path.display());
            return 1;
        }
    }
    let report = run.report();
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("\n{}", report_text(&report, &account, locale));
    }
    0
}

fn print_step_heading(run: &AccountRun, locale: Locale) {
    let Some(next) = run.next_step(locale) else {
        return;
    };
    println!(
        "\n=== {} ===",
        fill(
            tr(T::AccountStepHeading, locale),
            &[&next.number, &next.title, &next.day]
        )
    );
    if !next.note.is_empty() {
        println!("{}", next.note);
    }
    if next.cooled > 0 {
        println!(
            "{}",
            fill(
                tr(T::AccountCooled, locale),
                &[&next.cooled, &next.stage_falls]
            )
        );
    }
}

/// The account report as text: every step, the promises, and the score's rules.
pub fn report_text(report: &AccountReport, account: &Account, locale: Locale) -> String {
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(
        &mut out,
        format!(
            "== {} — {} ==",
            tr(T::AccountReport, locale),
            account.file.title
        ),
    );
    for (i, s) in report.steps.iter().enumerate() {
        line(
            &mut out,
            format!(
                "{:>2}. {} · {} · {} {}/100 · {} {} → {} · {}",
                i + 1,
                fill(tr(T::Day, locale), &[&s.day]),
                s.title,
                tr(T::Score, locale),
                s.score,
                tr(T::Trust, locale),
                s.trust_start,
                s.trust_end,
                s.stage_end.name(locale)
            ),
        );
        for what in &s.promises_made {
            line(
                &mut out,
                format!("    {}", fill(tr(T::PromiseMadeLine, locale), &[what])),
            );
        }
        for what in &s.promises_kept {
            line(
                &mut out,
                format!("    {}", fill(tr(T::PromiseKeptLine, locale), &[what])),
            );
        }
        for what in &s.promises_broken {
            line(
                &mut out,
                format!("    {}", fill(tr(T::PromiseNotKept, locale), &[what])),
            );
        }
    }
    if !report.objections_open.is_empty() {
        line(
            &mut out,
            format!(
                "{}: {}",
                tr(T::ObjectionsCarried, locale),
                report.objections_open.join("; ")
            ),
        );
    }
    line(
        &mut out,
        format!("{} {}/100", tr(T::AccountScore, locale), report.score.total),
    );
    for r in &report.score.rules {
        line(
            &mut out,
            format!("  {:>3}/{:<3} {} — {}", r.points, r.max, r.rule, r.detail),
        );
    }
    if !report.finished {
        line(&mut out, tr(T::AccountUnderWay, locale).to_string());
    }
    out
}
