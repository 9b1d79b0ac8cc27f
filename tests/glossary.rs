//! The Chinese text uses the course's terms in one form: every variant `docs/glossary.md`
//! lists is rejected in the shipped Chinese scenarios, the model and the interface strings.

use std::path::Path;

/// (term, rejected variants) from the glossary's table.
fn glossary() -> Vec<(String, Vec<String>)> {
    let doc = std::fs::read_to_string("docs/glossary.md").expect("docs/glossary.md exists");
    doc.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| concept"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let [_, term, variants] = cells.as_slice() else {
                return None;
            };
            let variants = variants
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
                .collect();
            Some((term.to_string(), variants))
        })
        .collect()
}

/// Every listed variant found in `text`, once accepted terms are blanked out.
fn variants_in(text: &str, glossary: &[(String, Vec<String>)]) -> Vec<String> {
    let mut blanked = text.to_string();
    for (term, _) in glossary {
        blanked = blanked.replace(term.as_str(), "□");
    }
    glossary
        .iter()
        .flat_map(|(term, variants)| {
            variants
                .iter()
                .filter(|v| blanked.contains(v.as_str()))
                .map(move |v| format!("`{v}` (write `{term}`)"))
        })
        .collect()
}

#[test]
fn the_glossary_lists_terms_and_variants() {
    let g = glossary();
    assert!(g.len() >= 20, "the glossary table has {} rows", g.len());
    assert!(
        g.iter()
            .any(|(t, v)| t == "不予回答" && v.contains(&"不予理睬".to_string()))
    );
    assert!(
        !variants_in("对谨慎分析型客户", &g)
            .iter()
            .any(|v| v.contains("分析型"))
    );
    assert!(!variants_in("对分析型客户", &g).is_empty());
}

#[test]
fn the_chinese_text_uses_one_spelling_of_each_term() {
    let g = glossary();
    // Every scenario file, the accounts and their visits included.
    let mut files: Vec<std::path::PathBuf> =
        rapport::catalog::expand(&[std::path::PathBuf::from("scenarios")], true)
            .expect("scenarios folder")
            .into_iter()
            .filter(|p| {
                let name = p.to_string_lossy();
                name.ends_with(".zh-CN.ron") || name.ends_with(".zh-CN.account.ron")
            })
            .collect();
    files.push(Path::new("scenarios/_model.ron").to_path_buf());
    files.extend(
        [
            "src/text.rs",
            "src/vocabulary.rs",
            "src/engine.rs",
            "src/scoring.rs",
            "src/debrief.rs",
        ]
        .iter()
        .map(|p| Path::new(p).to_path_buf()),
    );
    files.sort();
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        for (n, line) in text.lines().enumerate() {
            for v in variants_in(line, &g) {
                found.push(format!("{}:{}: {v}", f.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "variants of the course's terms:\n{}",
        found.join("\n")
    );
}
