//! The trainer's class view from files exported on the trainees' PCs: the heat map is the
//! mean of each trainee's mastery, the rows are per trainee, the most-missed decisions come
//! from replaying each visit, the next scenario is in the weakest cell, broken files are
//! reported by name and the rest still imported.

mod support;

use rapport::catalog::{Catalog, expand, load_all};
use rapport::classview::{build, read_folder, to_csv};
use rapport::history::History;
use rapport::vocabulary::{Category, Locale, Personality};
use std::path::Path;
use std::sync::Arc;

/// Plays `file` with seed 5 taking always the `pick`-th choice (1-based, the last one if
/// fewer are offered), and saves it for `trainee`.
fn play(h: &mut History, trainee: &str, file: &str, pick: usize) {
    let profile = h.profile_or_create(trainee).expect("trainee");
    let scn = Arc::new(Catalog::default().load(Path::new(file)).expect("shipped"));
    let mut session = rapport::Session::new(scn, 5);
    while !session.is_ended() {
        let offered = match session.prompt() {
            rapport::engine::Prompt::Choices(list) => list.len(),
            _ => 4,
        };
        session.choose(pick.min(offered) - 1).expect("offered");
    }
    let record = rapport::history::record(&session, "practice").expect("ended");
    h.save(&profile, &record).expect("saved");
}

#[test]
fn a_class_of_exported_files_becomes_the_class_view() {
    let db = support::temp("classview");
    let folder = db.parent().expect("folder").join("class");
    std::fs::create_dir_all(&folder).expect("class folder");
    let lookup = |_: &str| Default::default();
    // Three PCs, one trainee each; each PC exports its statements to the trainer's folder.
    for (n, (trainee, pick)) in [("Ana", 1), ("Ben", 2), ("Chen", 3)]
        .into_iter()
        .enumerate()
    {
        let path = db.with_file_name(format!("pc-{n}.sqlite3"));
        let (mut h, _) = History::open(&path).expect("history");
        play(&mut h, trainee, "scenarios/analytical-price.en.ron", pick);
        play(&mut h, trainee, "scenarios/dominant-price.en.ron", pick);
        let statements: Vec<_> = rapport::xapi::statements_in(
            &h,
            None,
            0,
            &Default::default(),
            "https://training.example.com",
            &lookup,
        )
        .expect("statements")
        .into_iter()
        .map(|(_, s)| s)
        .collect();
        std::fs::write(
            folder.join(format!("{trainee}.json")),
            serde_json::to_string(&statements).expect("json"),
        )
        .expect("written");
    }
    std::fs::write(folder.join("notes.json"), "{ \"broken\": ").expect("written");
    std::fs::write(folder.join("readme.txt"), "not a statement file").expect("written");

    let (statements, problems) = read_folder(&folder);
    assert_eq!(statements.len(), 6);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("notes.json:1:"), "{}", problems[0]);

    let files = expand(&[Path::new("scenarios").to_path_buf()], false).expect("library");
    let library: Vec<_> = load_all(&files)
        .scenarios
        .into_iter()
        .map(|(_, s)| Arc::new(s))
        .collect();
    let view = build(&statements, &library);
    assert_eq!(
        view.trainees
            .iter()
            .map(|t| t.trainee.as_str())
            .collect::<Vec<_>>(),
        ["Ana", "Ben", "Chen"]
    );
    assert!(view.trainees.iter().all(|t| t.visits == 2));
    assert_eq!((view.skipped, view.not_replayed), (0, 0));

    // The analytical × price cell is the mean of the three trainees' scores there.
    let scores: Vec<u32> = statements
        .iter()
        .filter(|s| {
            s["object"]["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("analytical-price"))
        })
        .map(|s| s["result"]["score"]["raw"].as_u64().expect("score") as u32)
        .collect();
    assert_eq!(scores.len(), 3);
    let cell = view.map[Personality::Analytical.index()][Category::Price.index()];
    let expected = scores.iter().sum::<u32>() as f64 / 3.0;
    assert!((cell.mean.expect("tried") - expected).abs() < 1e-9);
    assert_eq!((cell.visits, cell.trainees), (3, 3));

    // Three trainees who took different lines missed the best one somewhere.
    assert!(!view.missed.is_empty());
    for m in &view.missed {
        assert!(
            m.missed >= 1 && m.missed <= m.attempts && m.attempts <= 3,
            "{m:?}"
        );
        assert!(!m.best_choice.is_empty());
    }
    assert!(view.missed.windows(2).all(|w| w[0].missed >= w[1].missed));

    // The next scenario is in the weakest cell tried.
    let (p, c, mean, id) = view.run_next.clone().expect("a scenario to run next");
    let weakest = Personality::ALL
        .iter()
        .flat_map(|p| Category::ALL.iter().map(move |c| (*p, *c)))
        .filter_map(|(p, c)| view.map[p.index()][c.index()].mean)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(mean, weakest);
    let scn = library
        .iter()
        .find(|s| s.id() == id)
        .expect("in the library");
    assert_eq!(scn.central_category(), Some(c));
    assert!(scn.file.customer.personality.candidates().contains(&p));

    let csv = to_csv(&view, Locale::ZhCn);
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for Excel");
    assert!(csv.contains("学员") && csv.contains("Ana"));
}

#[test]
fn statements_of_another_tool_are_skipped_not_fatal() {
    let other = serde_json::json!({
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://lms.example.org/course/7"},
    });
    let view = build(&[other], &[]);
    assert_eq!(view.skipped, 1);
    assert!(view.trainees.is_empty() && view.run_next.is_none());
}
