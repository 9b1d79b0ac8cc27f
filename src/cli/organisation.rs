//! `rapport sync` (send the outbox to the learning record store named in the settings) and
//! `rapport class` (the trainer's class view from exported statement files or the LRS).

use rapport::catalog::{expand, load_all};
use rapport::classview::{self, ClassView};
use rapport::text::{T, fill, tr};
use rapport::vocabulary::{Category, Locale, Personality};
use std::path::Path;
use std::sync::Arc;

/// The settings file the app writes (`RAPPORT_CONFIG_DIR` or the user's config folder).
fn settings() -> Result<rapport::settings::Settings, u8> {
    let Some(path) = rapport::settings::default_path() else {
        return Ok(Default::default());
    };
    if !path.exists() {
        return Ok(Default::default());
    }
    rapport::catalog::read_text(&path)
        .and_then(|text| rapport::settings::parse(&text, &path.display().to_string()))
        .map(|(s, _)| s)
        .map_err(|p| {
            eprintln!("{p}");
            1
        })
}

pub fn sync(scenarios: &Path) -> u8 {
    let Ok(settings) = settings() else { return 1 };
    let Some(lrs) = settings.lrs else {
        eprintln!(
            "no learning record store is set: set its endpoint, user name and password in the app's settings (`lrs` in {})",
            rapport::settings::default_path()
                .map_or("settings.ron".into(), |p| p.display().to_string())
        );
        return 1;
    };
    let mut history = match super::open_history() {
        Ok(h) => h,
        Err(code) => return code,
    };
    let names = rapport::catalog::names_by_id(scenarios);
    let lookup = |id: &str| names.get(id).cloned().unwrap_or_default();
    match rapport::lrs::sync(&mut history, &lrs, &lookup, rapport::history::now()) {
        Ok(report) => {
            let s = &report.status;
            println!(
                "queued {}, sent {}, refused {}; outbox: {} waiting, {} sent, {} refused",
                report.queued, report.sent, report.rejected, s.waiting, s.sent, s.rejected
            );
            if let Some(e) = &report.error {
                eprintln!("{e}");
                return 1;
            }
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

pub struct ClassArgs<'a> {
    pub folder: Option<&'a Path>,
    pub lrs: bool,
    pub group: Option<&'a str>,
    pub scenarios: &'a Path,
    pub csv: Option<&'a Path>,
    pub language: Locale,
    pub json: bool,
}

pub fn class(args: ClassArgs) -> u8 {
    let (statements, problems) = match (args.folder, args.lrs) {
        (Some(folder), false) => classview::read_folder(folder),
        (None, true) => {
            let Ok(settings) = settings() else { return 1 };
            let Some(lrs) = settings.lrs else {
                eprintln!("no learning record store is set in the app's settings");
                return 1;
            };
            let group = args
                .group
                .map(str::to_string)
                .or_else(|| (!lrs.group.trim().is_empty()).then(|| lrs.group.trim().to_string()));
            match rapport::lrs::fetch_statements(&lrs, group.as_deref()) {
                Ok(s) => (s, Vec::new()),
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            }
        }
        _ => {
            eprintln!("give a folder of exported statement files, or --lrs (not both)");
            return 2;
        }
    };
    for p in &problems {
        eprintln!("{p}");
    }
    let files = expand(&[args.scenarios.to_path_buf()], false).unwrap_or_default();
    let library: Vec<Arc<rapport::Scenario>> = load_all(&files)
        .scenarios
        .into_iter()
        .map(|(_, s)| Arc::new(s))
        .collect();
    let view = classview::build(&statements, &library);
    if let Some(path) = args.csv {
        if let Err(e) = std::fs::write(path, classview::to_csv(&view, args.language)) {
            eprintln!("{}: cannot write: {e}", path.display());
            return 1;
        }
        eprintln!("class view written to {}", path.display());
    } else if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&view).unwrap_or_default()
        );
    } else {
        print_view(&view, args.language);
    }
    if view.trainees.is_empty() { 1 } else { 0 }
}

fn print_view(view: &ClassView, l: Locale) {
    println!("{}", tr(T::ClassHeatMap, l));
    print!("{:<14}", "");
    for c in Category::ALL {
        print!("{:>12}", c.name(l));
    }
    println!();
    for p in Personality::ALL {
        print!("{:<14}", p.name(l));
        for c in Category::ALL {
            let cell = view.map[p.index()][c.index()];
            match cell.mean {
                Some(m) => print!("{:>12}", format!("{m:.0} ({})", cell.visits)),
                None => print!("{:>12}", "·"),
            }
        }
        println!();
    }
    println!("\n{}", tr(T::ClassTrainees, l));
    for t in &view.trainees {
        println!(
            "  {:<20} {:>3} {}  {:>5.1} {}  {}",
            t.trainee,
            t.visits,
            tr(T::ClassVisits, l),
            t.mean_score,
            tr(T::ClassMeanScore, l),
            t.weakest
                .map(|(p, c)| format!("{}: {} × {}", tr(T::ClassWeakest, l), p.name(l), c.name(l)))
                .unwrap_or_default()
        );
    }
    println!("\n{}", tr(T::ClassMostMissed, l));
    for m in &view.missed {
        println!(
            "  {} / {}: {}",
            m.title,
            m.node,
            fill(tr(T::ClassMissedBy, l), &[&m.missed, &m.attempts])
        );
        println!("      “{}”", m.line);
        println!("      {}: {}", tr(T::ClassBestLine, l), m.best_choice);
    }
    if let Some((p, c, mean, id)) = &view.run_next {
        println!(
            "\n{}: {id}\n  {}",
            tr(T::ClassRunNext, l),
            fill(
                tr(T::ClassRunNextWhy, l),
                &[&p.name(l), &c.name(l), &format!("{mean:.0}")]
            )
        );
    }
    if view.skipped + view.not_replayed > 0 {
        println!(
            "\n{}",
            fill(
                tr(T::ClassSkipped, l),
                &[&(view.skipped + view.not_replayed)]
            )
        );
    }
}
