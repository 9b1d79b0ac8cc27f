//! `rapport play`: a conversation in the terminal, or scripted with `--choices`.

use rapport::catalog::Catalog;
use rapport::debrief::debrief;
use rapport::engine::{Event, Prompt, Session};
use rapport::recording::{record, to_ron};
use rapport::text::{T, fill, tr};
use rapport::vocabulary::{Locale, Personality};
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;

pub fn play(
    file: &Path,
    seed: u64,
    personality: Option<Personality>,
    choices: Option<Vec<usize>>,
    record_to: Option<&Path>,
    profile: Option<&str>,
    json: bool,
) -> u8 {
    let scn = match Catalog::default().load(file) {
        Ok(s) => Arc::new(s),
        Err(problems) => {
            super::print_problems(&problems);
            return 1;
        }
    };
    if let Some(p) = personality
        && !scn.personalities.contains(&p)
    {
        eprintln!(
            "{}: the customer can be {}, not {p}",
            file.display(),
            scn.personalities
                .iter()
                .map(|p| p.code())
                .collect::<Vec<_>>()
                .join(" or ")
        );
        return 2;
    }
    let locale = scn.locale();
    let mut session = match personality {
        Some(p) => Session::with_personality(scn.clone(), seed, p),
        None => Session::new(scn.clone(), seed),
    };
    if !json {
        println!("{}\n{}\n", scn.file.title, scn.file.customer.brief);
        print_events(session.events(), locale);
    }
    let mut script = choices.map(|c| c.into_iter());
    let started = std::time::Instant::now();
    if let Err(code) = drive(&mut session, script.as_mut(), json) {
        return code;
    }
    let took = started.elapsed().as_secs() as u32;
    if let Some(path) = record_to {
        let scenario_rel = relative_to(file, path);
        let rec = record(&session, &scenario_rel, personality);
        if let Err(e) = std::fs::write(path, to_ron(&rec)) {
            eprintln!("{}: cannot write: {e}", path.display());
            return 1;
        }
    }
    if let Some(name) = profile
        && let Err(e) = save_to_history(&session, name, took)
    {
        eprintln!("{e}");
        return 1;
    }
    if let Some(d) = debrief(&session) {
        if json {
            println!("{}", d.to_json());
        } else {
            println!("\n{}", d.to_markdown());
        }
    }
    0
}

/// Takes the trainee's choices — from `script` when given, else typed in the terminal — until
/// the conversation ends. `Err` carries the exit code.
pub(crate) fn drive(
    session: &mut Session,
    mut script: Option<&mut std::vec::IntoIter<usize>>,
    json: bool,
) -> Result<(), u8> {
    let locale = session.scenario().locale();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while !session.is_ended() {
        let count = match session.prompt() {
            Prompt::Choices(list) => {
                if !json {
                    for (i, (_, text)) in list.iter().enumerate() {
                        println!("  {}. {}", i + 1, text);
                    }
                }
                list.len()
            }
            Prompt::Diagnose { prompt } => {
                if !json {
                    let q = if prompt.is_empty() {
                        tr(T::WhichPersonality, locale).to_string()
                    } else {
                        prompt.to_string()
                    };
                    println!("{q}");
                    for (i, p) in Personality::ALL.iter().enumerate() {
                        println!("  {}. {}", i + 1, p.name(locale));
                    }
                }
                Personality::ALL.len()
            }
            Prompt::Ended => break,
        };
        let number = if let Some(script) = script.as_mut() {
            match script.next() {
                Some(n) => n,
                None => {
                    eprintln!("--choices ran out before the conversation ended");
                    return Err(1);
                }
            }
        } else {
            print!("> ");
            let _ = std::io::stdout().flush();
            match lines.next() {
                Some(Ok(line)) => match line.trim().parse::<usize>() {
                    Ok(n) if (1..=count).contains(&n) => n,
                    _ => {
                        println!("type a number from 1 to {count}");
                        continue;
                    }
                },
                _ => return Err(1),
            }
        };
        match session.choose(number.wrapping_sub(1)) {
            Ok(events) => {
                if !json {
                    print_events(events, locale);
                }
            }
            Err(e) => {
                eprintln!("choice {number}: {e}");
                return Err(1);
            }
        }
    }
    Ok(())
}

/// Saves the finished session in the trainee's history (the profile is created if new).
fn save_to_history(session: &Session, profile: &str, took_secs: u32) -> Result<(), String> {
    let path = rapport::history::History::default_path()
        .ok_or("no data folder for the history; set RAPPORT_DATA_DIR")?;
    let (mut history, notice) =
        rapport::history::History::open(&path).map_err(|e| e.to_string())?;
    if let Some(notice) = notice {
        eprintln!("{notice}");
    }
    let profile = history
        .profile_or_create(profile)
        .map_err(|e| e.to_string())?;
    let mut record = rapport::history::record(session, "cli").ok_or("the session has not ended")?;
    record.duration_secs = Some(took_secs);
    history.save(&profile, &record).map_err(|e| e.to_string())?;
    Ok(())
}

/// The scenario's path as seen from the recording's folder.
pub(crate) fn relative_to(scenario: &Path, recording: &Path) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let scenario = abs(scenario);
    let dir = recording
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(abs)
        .unwrap_or_else(|| abs(Path::new(".")));
    let s: Vec<_> = scenario.components().collect();
    let d: Vec<_> = dir.components().collect();
    let common = s.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut out = std::path::PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for c in &s[common..] {
        out.push(c);
    }
    out.to_string_lossy().replace('\\', "/")
}

pub(crate) fn print_events(events: &[Event], locale: Locale) {
    for e in events {
        match e {
            Event::CustomerSays { text, mood, .. } => {
                println!("\n[{}] {}", mood.name(locale), text)
            }
            Event::ChanceHappened { note } => println!("\n* {note}"),
            Event::ContactBegan {
                contact,
                days,
                note,
            } => println!(
                "\n{}",
                rapport::debrief::contact_line(locale, *contact, *days, note)
            ),
            Event::TraineeSays { text, .. } => println!("\n  you: {text}"),
            Event::TrustChanged { from, to, reasons } => {
                println!("  trust {from} → {to}");
                for r in reasons {
                    println!("    {:+} {}", r.delta, super::truncate(&r.why, 100));
                }
            }
            Event::StageChanged { from, to } => println!(
                "  relationship: {} → {}",
                from.name(locale),
                to.name(locale)
            ),
            Event::ObjectionRaised {
                objection,
                category,
                again,
                already_preempted,
            } => println!(
                "  objection {}: {} ({})",
                if *already_preempted {
                    "mentioned, already pre-empted"
                } else if *again {
                    "raised again"
                } else {
                    "raised"
                },
                objection,
                category.name(locale)
            ),
            Event::ObjectionHandled {
                objection,
                action,
                timing,
                ..
            } => {
                println!(
                    "  objection {objection}: {action:?}, {}",
                    timing.name(locale)
                )
            }
            Event::Breach { why } => println!("  breach: {why}"),
            Event::PromiseMade { what, .. } => {
                println!("  {}", fill(tr(T::PromiseMadeLine, locale), &[what]))
            }
            Event::PromiseKept { what, .. } => {
                println!("  {}", fill(tr(T::PromiseKeptLine, locale), &[what]))
            }
            // The breach that follows says it.
            Event::PromiseBroken { .. } => {}
            Event::MilestoneReached { milestone } => println!("  milestone: {milestone}"),
            Event::Feedback { text, mistake } => {
                println!(
                    "  coach{}: {}",
                    if *mistake { " (mistake)" } else { "" },
                    text
                )
            }
            Event::Diagnosed {
                guess,
                actual,
                correct,
            } => println!(
                "  diagnosis: {} — {} (actually {})",
                guess.name(locale),
                if *correct { "right" } else { "wrong" },
                actual.name(locale)
            ),
            Event::Ended { outcome, title, .. } => {
                println!("\n== {} — {} ==", outcome.name(locale), title)
            }
            Event::PersonalityDrawn { .. } => {}
        }
    }
}
