//! Generated scenarios of any size, for benchmarks and property tests. Deterministic: the
//! same size and seed give the same text.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

const GOOD: [&str; 6] = [
    "questioning",
    "give_data",
    "compensation",
    "third_party_proof",
    "integrity",
    "expert_solution",
];
const NEUTRAL: [&str; 4] = ["listen", "be_brief", "offer_options", "repeat_visit"];
const BAD: [&str; 4] = ["pressure", "exaggerate", "discount_at_once", "over_talk"];
const CATEGORIES: [&str; 4] = ["need", "price", "source", "timing"];
/// A sub-type of each category above, from the built-in model.
const SUBTYPES: [&str; 4] = ["need_false", "price_value", "source_brand", "timing"];

/// A valid scenario of `nodes` nodes (at least 8): a conversation that moves forward one or
/// two nodes per good or neutral choice while a mistake ends it, with an objection raised
/// every 20 nodes, a chance node every 50, a later contact every 100, and endings chosen by trust at the end.
pub fn generated_scenario(nodes: usize, seed: u64) -> String {
    let nodes = nodes.max(8);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut t = String::with_capacity(nodes * 320);
    let objection_count = (nodes / 20).clamp(1, 4);
    let _ = writeln!(
        t,
        "(\n  id: \"generated-{nodes}\",\n  title: \"Generated scenario with {nodes} nodes\",\n  locale: \"en\","
    );
    let _ = writeln!(
        t,
        "  summary: \"A synthetic conversation for benchmarks.\",\n  categories: [need, price, source, timing],"
    );
    let _ = writeln!(t, "  difficulty: 3,\n  minutes: 30,");
    let _ = writeln!(
        t,
        "  customer: (name: \"Customer\", role: \"Buyer\", company: \"Company\", brief: \"A generated brief.\", personality: drawn([analytical, dominant])),"
    );
    let _ = writeln!(
        t,
        "  start: (trust: 30, stage: stranger, node: \"n0\"),\n  objections: ["
    );
    for o in 0..objection_count {
        let _ = writeln!(
            t,
            "    (id: \"o{o}\", category: {}, subtype: \"{}\", summary: \"Objection {o}\", central: {}, timing: [at_once, later]),",
            CATEGORIES[o % 4],
            SUBTYPES[o % 4],
            o == 0
        );
    }
    let _ = writeln!(t, "  ],\n  nodes: [");
    let body = nodes - 5; // then a routing node and four endings
    for i in 0..body {
        let raises = if i % 20 == 3 {
            format!("raises: [\"o{}\"], ", (i / 20) % objection_count)
        } else {
            String::new()
        };
        let _ = write!(
            t,
            "    (id: \"n{i}\", mood: neutral, say: \"Customer line number {i}, which asks something about the offer.\", {raises}then: "
        );
        let next = |k: usize| {
            if i + k < body {
                format!("n{}", i + k)
            } else {
                "route".to_string()
            }
        };
        if i % 50 == 25 {
            let _ = writeln!(
                t,
                "chance([(weight: 2, note: \"A call comes in.\", next: \"{}\"), (weight: 1, note: \"The meeting runs on.\", next: \"{}\")])),",
                next(1),
                next(2)
            );
            continue;
        }
        if i % 100 == 75 {
            let _ = writeln!(
                t,
                "later(days: 14, note: \"Two weeks later.\", next: \"{}\")),",
                next(1)
            );
            continue;
        }
        let _ = writeln!(t, "choices([");
        let handles = if i % 20 == 3 {
            format!(
                "objections: [resolve(\"o{}\")], ",
                (i / 20) % objection_count
            )
        } else {
            String::new()
        };
        let good = GOOD[rng.random_range(0..GOOD.len())];
        let neutral = NEUTRAL[rng.random_range(0..NEUTRAL.len())];
        let bad = BAD[rng.random_range(0..BAD.len())];
        let milestone = match i % 30 {
            5 => "milestones: [\"common_ground\"], ",
            15 => "milestones: [\"promise_kept\"], ",
            _ => "",
        };
        let _ = writeln!(
            t,
            "      (say: \"A good answer at step {i}.\", techniques: [\"{good}\"], {handles}{milestone}feedback: \"Fits the customer.\", next: \"{}\"),",
            next(1)
        );
        let _ = writeln!(
            t,
            "      (say: \"A neutral answer at step {i}.\", techniques: [\"{neutral}\"], feedback: \"Neither here nor there.\", next: \"{}\"),",
            next(2)
        );
        // As in authored scenarios, a real mistake ends the conversation.
        let _ = writeln!(
            t,
            "      (say: \"A poor answer at step {i}.\", techniques: [\"{bad}\"], mistake: true, feedback: \"A real mistake.\", next: \"lost\"),"
        );
        let _ = writeln!(t, "    ])),");
    }
    let _ = writeln!(
        t,
        "    (id: \"route\", then: branch(cases: [(when: trust_at_least(80), next: \"deal\"), (when: trust_at_least(55), next: \"next_step\"), (when: trust_at_least(30), next: \"stalled\")], otherwise: \"lost\")),"
    );
    for (id, outcome) in [
        ("deal", "deal"),
        ("next_step", "next_step"),
        ("stalled", "stalled"),
        ("lost", "lost_relationship"),
    ] {
        let _ = writeln!(
            t,
            "    (id: \"{id}\", mood: neutral, say: \"Closing line.\", then: end(outcome: {outcome}, title: \"{id}\", debrief: \"Generated ending.\")),"
        );
    }
    let _ = writeln!(t, "  ],\n)");
    t
}

/// The scenario that once took exhaustive analysis 43 s and 6 GB: `flags` decisions that
/// each set (or not) a flag of their own, then a branch that reads every flag, with a
/// customer drawn from the four personalities. Its positions double with every flag.
pub fn flag_scenario(flags: usize) -> String {
    let flags = flags.clamp(1, crate::compile::MAX_FLAGS);
    let mut t = String::with_capacity(flags * 600);
    let _ = writeln!(
        t,
        "(\n  id: \"flags-{flags}\",\n  title: \"{flags} independent flags\",\n  locale: \"en\",\n  summary: \"Every decision sets a flag; the last branch reads them all.\",\n  categories: [price],\n  difficulty: 3,\n  minutes: 20,"
    );
    let _ = writeln!(
        t,
        "  customer: (name: \"Customer\", role: \"Buyer\", company: \"Company\", brief: \"A generated brief.\", personality: drawn([dominant, expressive, amiable, analytical])),"
    );
    let _ = writeln!(
        t,
        "  start: (trust: 40, node: \"d0\"),\n  objections: [(id: \"price\", category: price, subtype: \"price_value\", summary: \"Too expensive.\", central: true, timing: [later])],\n  nodes: ["
    );
    for i in 0..flags {
        let next = if i + 1 < flags {
            format!("d{}", i + 1)
        } else {
            "read".to_string()
        };
        let raises = if i == 0 { "raises: [\"price\"], " } else { "" };
        let _ = writeln!(
            t,
            "    (id: \"d{i}\", say: \"Question {i}.\", {raises}then: choices([\n      (say: \"Note it ({i}).\", techniques: [\"listen\"], set: [\"f{i}\"], feedback: \"Noted.\", next: \"{next}\"),\n      (say: \"Let it pass ({i}).\", techniques: [\"be_brief\"], feedback: \"Passed.\", next: \"{next}\"),\n    ])),"
        );
    }
    let all: Vec<String> = (0..flags).map(|i| format!("flag(\"f{i}\")")).collect();
    let half: Vec<String> = (0..flags)
        .step_by(2)
        .map(|i| format!("flag(\"f{i}\")"))
        .collect();
    let _ = writeln!(
        t,
        "    (id: \"read\", then: branch(cases: [(when: all([{}]), next: \"deal\"), (when: all([{}]), next: \"next_step\")], otherwise: \"stalled\")),",
        all.join(", "),
        half.join(", ")
    );
    for (id, outcome) in [
        ("deal", "deal"),
        ("next_step", "next_step"),
        ("stalled", "stalled"),
    ] {
        let _ = writeln!(
            t,
            "    (id: \"{id}\", say: \"Closing line.\", then: end(outcome: {outcome}, title: \"{id}\", debrief: \"Generated ending.\")),"
        );
    }
    let _ = writeln!(t, "  ],\n)");
    t
}

/// A wide scenario: `decisions` decisions of `choices` choices each, every choice but the first
/// behind a trust threshold of its own (so trust splits into many bands), each setting one of
/// `choices` flags that a final branch reads; a customer drawn from four personalities. The
/// shape that costs the analysis most per position.
pub fn wide_scenario(decisions: usize, choices: usize) -> String {
    const TECHNIQUES: [&str; 12] = [
        "listen",
        "give_data",
        "be_brief",
        "show_warmth",
        "questioning",
        "pressure",
        "tell_story",
        "empathy",
        "reassure",
        "offer_options",
        "integrity",
        "exaggerate",
    ];
    let decisions = decisions.max(1);
    let choices = choices.clamp(2, TECHNIQUES.len());
    let mut t = String::with_capacity(decisions * choices * 120);
    let _ = writeln!(
        t,
        "(\n  id: \"wide-{decisions}x{choices}\",\n  title: \"A wide scenario\",\n  locale: \"en\",\n  summary: \"Many choices behind many trust thresholds.\",\n  categories: [price],\n  difficulty: 3,\n  minutes: 30,"
    );
    let _ = writeln!(
        t,
        "  customer: (name: \"Customer\", role: \"Buyer\", company: \"Company\", brief: \"A generated brief.\", personality: drawn([dominant, expressive, amiable, analytical])),\n  start: (trust: 50, node: \"d0\"),\n  objections: [(id: \"price\", category: price, subtype: \"price_value\", summary: \"Too expensive.\", central: true)],\n  nodes: ["
    );
    for i in 0..decisions {
        let next = if i + 1 < decisions {
            format!("d{}", i + 1)
        } else {
            "route".to_string()
        };
        let raises = if i == 0 { "raises: [\"price\"], " } else { "" };
        let _ = write!(
            t,
            "    (id: \"d{i}\", say: \"Question {i}.\", {raises}then: choices(["
        );
        for (k, technique) in TECHNIQUES.iter().enumerate().take(choices) {
            let when = if k > 0 {
                format!("when: trust_at_least({}), ", (i * 7 + k * 3) % 97 + 1)
            } else {
                String::new()
            };
            let _ = write!(
                t,
                "(say: \"Answer {i}.{k}\", techniques: [\"{technique}\"], {when}set: [\"f{k}\"], feedback: \"f\", next: \"{next}\"), "
            );
        }
        let _ = writeln!(t, "])),");
    }
    let _ = writeln!(
        t,
        "    (id: \"route\", then: branch(cases: [(when: all([flag(\"f1\"), flag(\"f2\")]), next: \"deal\"), (when: trust_at_least(60), next: \"next_step\")], otherwise: \"lost\")),"
    );
    for (id, outcome) in [
        ("deal", "deal"),
        ("next_step", "next_step"),
        ("lost", "lost_relationship"),
    ] {
        let _ = writeln!(
            t,
            "    (id: \"{id}\", then: end(outcome: {outcome}, title: \"{id}\", debrief: \"Generated ending.\")),"
        );
    }
    let _ = writeln!(t, "  ],\n)");
    t
}
