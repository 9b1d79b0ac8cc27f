//! The library screen: every scenario, filters, the personality × objection matrix, and the
//! problems of files that do not load.

use super::{root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::library::Library;
use crate::app::session::{Intent, LibraryFilter};
use crate::app::settings::Settings;
use crate::app::theme;
use crate::text::{T, fill, tr};
use crate::vocabulary::{Category, Locale, MATRIX_CATEGORIES, Personality};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub struct LibraryScreenPlugin;

impl Plugin for LibraryScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            library_screen.run_if(in_state(Screen::Library)),
        );
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRow {
    pub path: String,
    pub title: String,
    pub summary: String,
    pub locale: Locale,
    pub personalities: Vec<Personality>,
    pub drawn: bool,
    pub categories: Vec<Category>,
    pub central: Option<Category>,
    pub difficulty: u8,
    pub minutes: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileProblems {
    pub path: String,
    pub problems: Vec<String>,
    pub has_good_version: bool,
}

/// One account in the library, with how far the current trainee has followed it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub file: String,
    pub title: String,
    pub customer: String,
    pub personality: Personality,
    pub visits: usize,
    pub locale: Locale,
    pub status: String,
}

impl AccountRow {
    /// The accounts in `locale` (or all, when the filter asks for every language), with the
    /// trainee's latest run of each.
    pub fn build(
        accounts: &crate::app::accounts::Accounts,
        runs: &[crate::history::SavedAccount],
        filter: &LibraryFilter,
        locale: Locale,
    ) -> Vec<AccountRow> {
        let shown = filter.locale.unwrap_or(locale);
        accounts
            .entries
            .iter()
            .filter_map(|e| Some((e, e.account.as_ref()?)))
            .filter(|(_, a)| a.locale() == shown)
            .filter(|(_, a)| filter.personality.is_none_or(|p| p == a.file.personality))
            .map(|(e, a)| {
                let run = runs.iter().rev().find(|r| r.record.account_id == a.id());
                let status = match run {
                    None => tr(T::AccountStatusNew, locale).to_string(),
                    Some(r) if r.record.finished => {
                        fill(tr(T::AccountStatusDone, locale), &[&r.record.score])
                    }
                    Some(r) => fill(
                        tr(T::AccountStatusUnderWay, locale),
                        &[&r.record.steps.len(), &r.record.stage.name(locale)],
                    ),
                };
                AccountRow {
                    file: e.file.clone(),
                    title: a.file.title.clone(),
                    customer: a.file.customer.clone(),
                    personality: a.file.personality,
                    visits: a.visits.len(),
                    locale: a.locale(),
                    status,
                }
            })
            .collect()
    }
}

/// What the library screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryView {
    pub rows: Vec<ScenarioRow>,
    pub filter: LibraryFilter,
    /// Scenarios per personality (row) and matrix category (column), before filtering.
    pub matrix: [[usize; 4]; 4],
    pub problems: Vec<FileProblems>,
    pub accounts: Vec<AccountRow>,
    pub locale: Locale,
}

impl LibraryView {
    pub fn build(library: &Library, filter: &LibraryFilter, locale: Locale) -> LibraryView {
        let mut rows: Vec<ScenarioRow> = library
            .scenarios()
            .map(|(path, s)| ScenarioRow {
                path: path.clone(),
                title: s.file.title.clone(),
                summary: s.file.summary.clone(),
                locale: s.locale(),
                personalities: s.personalities.clone(),
                drawn: s.drawn,
                categories: s.file.categories.clone(),
                central: s.objections.iter().find(|o| o.central).map(|o| o.category),
                difficulty: s.file.difficulty,
                minutes: s.file.minutes,
            })
            .collect();
        // The interface language's scenarios first, then by title.
        rows.sort_by(|a, b| (a.locale != locale, &a.title).cmp(&(b.locale != locale, &b.title)));
        // Each cell counts exactly what clicking it shows: the same filter, with the cell's
        // personality and category.
        let mut matrix = [[0; 4]; 4];
        for p in Personality::ALL {
            for (ci, c) in MATRIX_CATEGORIES.iter().enumerate() {
                let cell = LibraryFilter {
                    personality: Some(*p),
                    category: Some(*c),
                    ..filter.clone()
                };
                matrix[p.index()][ci] = rows.iter().filter(|r| admits(&cell, r)).count();
            }
        }
        let problems = library
            .entries
            .values()
            .filter(|e| !e.problems.is_empty() || !e.pair_problems.is_empty())
            .map(|e| FileProblems {
                path: e.path.clone(),
                problems: e.problems.iter().chain(&e.pair_problems).cloned().collect(),
                has_good_version: e.scenario.is_some(),
            })
            .collect();
        LibraryView {
            rows,
            filter: filter.clone(),
            matrix,
            problems,
            accounts: Vec::new(),
            locale,
        }
    }

    pub fn visible(&self) -> Vec<&ScenarioRow> {
        self.rows
            .iter()
            .filter(|r| admits(&self.filter, r))
            .collect()
    }
}

/// Whether the library's filter shows `row`: the one rule behind the list and the matrix.
fn admits(f: &LibraryFilter, r: &ScenarioRow) -> bool {
    let needle = f.search.to_lowercase();
    f.personality.is_none_or(|p| r.personalities.contains(&p))
        && f.category
            .is_none_or(|c| r.central == Some(c) || r.categories.contains(&c))
        && f.locale.is_none_or(|l| r.locale == l)
        && (needle.is_empty()
            || r.title.to_lowercase().contains(&needle)
            || r.summary.to_lowercase().contains(&needle))
}

/// Who is practising: the trainees on this PC and the one chosen now.
pub struct TraineeView {
    pub profiles: Vec<String>,
    pub current: Option<String>,
    pub saved: usize,
    pub notice: Option<String>,
    pub locale: Locale,
}

/// The trainee bar above the library: pick a trainee, or type a new name. `draft` is the name
/// being typed.
pub fn trainee_ui(ui: &mut egui::Ui, view: &TraineeView, draft: &mut String) -> Option<Intent> {
    let l = view.locale;
    let mut intent = None;
    egui::Panel::top("trainee-bar")
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(12, 6)))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new(tr(T::Trainee, l)).strong());
                for name in &view.profiles {
                    let chosen = view.current.as_deref() == Some(name.as_str());
                    if ui.selectable_label(chosen, name).clicked() && !chosen {
                        intent = Some(Intent::ChooseTrainee(name.clone()));
                    }
                }
                ui.add(
                    egui::TextEdit::singleline(draft)
                        .hint_text(tr(T::NewTrainee, l))
                        .desired_width(160.0),
                );
                if ui.button(tr(T::UseTrainee, l)).clicked() && !draft.trim().is_empty() {
                    intent = Some(Intent::ChooseTrainee(draft.trim().to_string()));
                    draft.clear();
                }
                let status = match &view.current {
                    None => tr(T::NoTrainee, l).to_string(),
                    Some(_) if view.saved > 0 => {
                        format!("{} {}", view.saved, tr(T::SavedSessions, l))
                    }
                    Some(_) => String::new(),
                };
                ui.label(egui::RichText::new(status).small().color(theme::MUTED));
                if let Some(notice) = &view.notice {
                    ui.label(egui::RichText::new(notice).small().color(theme::BAD));
                }
            });
        });
    intent
}

fn library_screen(
    mut contexts: EguiContexts,
    library: Res<Library>,
    filter: Res<LibraryFilter>,
    settings: Res<Settings>,
    // Who practises, and the accounts they follow.
    (trainees, accounts): (
        Res<crate::app::trainees::Trainees>,
        Res<crate::app::accounts::Accounts>,
    ),
    mut draft: Local<String>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut view = LibraryView::build(&library, &filter, settings.language);
    view.accounts = AccountRow::build(&accounts, &trainees.accounts, &filter, settings.language);
    view.problems.extend(
        accounts
            .entries
            .iter()
            .filter(|e| !e.problems.is_empty())
            .map(|e| FileProblems {
                path: e.file.clone(),
                problems: e.problems.clone(),
                has_good_version: false,
            }),
    );
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Library, settings.language) {
        intents.write(intent);
    }
    if trainees.enabled {
        let trainee_view = TraineeView {
            profiles: trainees.profiles.clone(),
            current: trainees.current.clone(),
            saved: trainees.saved,
            notice: trainees.notice.clone(),
            locale: settings.language,
        };
        if let Some(intent) = trainee_ui(&mut ui, &trainee_view, &mut draft) {
            intents.write(intent);
        }
    }
    if let Some(intent) = library_ui(&mut ui, &view) {
        intents.write(intent);
    }
    Ok(())
}

/// The library screen's body.
pub fn library_ui(ui: &mut egui::Ui, view: &LibraryView) -> Option<Intent> {
    let l = view.locale;
    let mut intent = None;
    let mut filter = view.filter.clone();

    if !view.problems.is_empty() {
        egui::Panel::bottom("library-problems")
            .frame(
                egui::Frame::NONE
                    .fill(egui::Color32::from_rgb(0xfb, 0xee, 0xee))
                    .inner_margin(12),
            )
            .show(ui, |ui| {
                ui.label(
                    egui::RichText::new(tr(T::Problems, l))
                        .strong()
                        .color(theme::BAD),
                );
                ui.label(egui::RichText::new(tr(T::ProblemsHint, l)).small());
                egui::ScrollArea::vertical()
                    .max_height(160.0)
                    .show(ui, |ui| {
                        for file in &view.problems {
                            let suffix = if file.has_good_version {
                                format!(" — {}", tr(T::KeptLastGood, l))
                            } else {
                                String::new()
                            };
                            ui.label(
                                egui::RichText::new(format!("{}{}", file.path, suffix)).strong(),
                            );
                            for p in &file.problems {
                                ui.label(egui::RichText::new(p).monospace().small());
                            }
                        }
                    });
            });
    }

    egui::Panel::left("library-filters")
        .default_size(330.0)
        .resizable(false)
        .show(ui, |ui| {
            ui.add_space(8.0);
            section(ui, tr(T::Filters, l));
            ui.horizontal(|ui| {
                ui.label(tr(T::Search, l));
                ui.text_edit_singleline(&mut filter.search);
            });
            egui::ComboBox::from_id_salt("filter-personality")
                .selected_text(
                    filter
                        .personality
                        .map(|p| p.name(l))
                        .unwrap_or(tr(T::AllPersonalities, l)),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.personality, None, tr(T::AllPersonalities, l));
                    for p in Personality::ALL {
                        ui.selectable_value(&mut filter.personality, Some(*p), p.name(l));
                    }
                });
            egui::ComboBox::from_id_salt("filter-category")
                .selected_text(
                    filter
                        .category
                        .map(|c| c.name(l))
                        .unwrap_or(tr(T::AllCategories, l)),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.category, None, tr(T::AllCategories, l));
                    for c in Category::ALL {
                        ui.selectable_value(&mut filter.category, Some(*c), c.name(l));
                    }
                });
            egui::ComboBox::from_id_salt("filter-locale")
                .selected_text(
                    filter
                        .locale
                        .map(crate::text::locale_name)
                        .unwrap_or(tr(T::AllLocales, l)),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.locale, None, tr(T::AllLocales, l));
                    for loc in Locale::ALL {
                        ui.selectable_value(
                            &mut filter.locale,
                            Some(loc),
                            crate::text::locale_name(loc),
                        );
                    }
                });

            section(ui, tr(T::Matrix, l));
            ui.label(
                egui::RichText::new(tr(T::MatrixHint, l))
                    .small()
                    .color(theme::MUTED),
            );
            egui::Grid::new("matrix")
                .spacing([4.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    for c in MATRIX_CATEGORIES {
                        ui.label(egui::RichText::new(c.name(l)).small());
                    }
                    ui.end_row();
                    for p in Personality::ALL {
                        ui.label(egui::RichText::new(p.name(l)).small());
                        for (ci, c) in MATRIX_CATEGORIES.iter().enumerate() {
                            let n = view.matrix[p.index()][ci];
                            let selected =
                                filter.personality == Some(*p) && filter.category == Some(*c);
                            let fill = if selected {
                                theme::ACCENT
                            } else if n > 0 {
                                egui::Color32::from_rgb(0xd6, 0xe6, 0xf2)
                            } else {
                                egui::Color32::from_rgb(0xee, 0xee, 0xee)
                            };
                            let text = egui::RichText::new(n.to_string()).color(if selected {
                                egui::Color32::WHITE
                            } else {
                                egui::Color32::BLACK
                            });
                            if ui
                                .add(
                                    egui::Button::new(text)
                                        .fill(fill)
                                        .min_size(egui::vec2(44.0, 28.0)),
                                )
                                .clicked()
                            {
                                if selected {
                                    filter.personality = None;
                                    filter.category = None;
                                } else {
                                    filter.personality = Some(*p);
                                    filter.category = Some(*c);
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });

    egui::CentralPanel::default().show(ui, |ui| {
        let visible = view.visible();
        if !view.accounts.is_empty() {
            ui.add_space(4.0);
            section(ui, tr(T::Accounts, l));
            for a in &view.accounts {
                ui.horizontal(|ui| {
                    ui.label(egui::RichText::new(&a.title).strong());
                    ui.label(
                        egui::RichText::new(fill(
                            tr(T::AccountCard, l),
                            &[&a.customer, &a.personality.name(l), &a.visits],
                        ))
                        .color(theme::MUTED),
                    );
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.button(tr(T::OpenAccount, l)).clicked() {
                            intent = Some(Intent::OpenAccount(a.file.clone()));
                        }
                        ui.label(egui::RichText::new(&a.status).small());
                    });
                });
            }
            ui.separator();
        }
        ui.add_space(4.0);
        ui.heading(format!("{} ({})", tr(T::Library, l), visible.len()));
        if visible.is_empty() {
            ui.add_space(20.0);
            ui.label(tr(T::NoScenarios, l));
        }
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show_viewport(ui, |ui, viewport| {
                // Cards out of sight keep their place but are not laid out: laying out every
                // card would rasterise glyphs for text nobody sees (every Chinese summary in
                // an English session, say) into egui's font atlas, which never shrinks.
                let content_top = ui.min_rect().top();
                let width = ui.available_width();
                let spacing = ui.spacing().item_spacing.y;
                for row in visible {
                    let id = egui::Id::new(("library-card-height", &row.path, width as i32));
                    let known: Option<f32> = ui.ctx().data(|d| d.get_temp(id));
                    let y = ui.cursor().top() - content_top;
                    let out_of_sight = match known {
                        Some(height) => y + height < viewport.top() || y > viewport.bottom(),
                        None => y > viewport.bottom(),
                    };
                    if out_of_sight {
                        let height = known.unwrap_or(ESTIMATED_CARD_HEIGHT);
                        ui.allocate_space(egui::vec2(width, (height - spacing).max(0.0)));
                        continue;
                    }
                    let before = ui.cursor().top();
                    if scenario_card(ui, row, l) {
                        intent = Some(Intent::OpenScenario(row.path.clone()));
                    }
                    let height = ui.cursor().top() - before;
                    ui.ctx().data_mut(|d| d.insert_temp(id, height));
                }
            });
    });

    if filter != view.filter && intent.is_none() {
        intent = Some(Intent::SetFilter(filter));
    }
    intent
}

/// The height given to a card not yet laid out, until it scrolls into view.
const ESTIMATED_CARD_HEIGHT: f32 = 150.0;

/// One scenario in the list; returns true when the trainee opens it.
fn scenario_card(ui: &mut egui::Ui, row: &ScenarioRow, l: Locale) -> bool {
    let mut open = false;
    egui::Frame::NONE
        .fill(theme::PANEL)
        .stroke(egui::Stroke::new(
            1.0,
            egui::Color32::from_rgb(0xdd, 0xe1, 0xe6),
        ))
        .corner_radius(6)
        .inner_margin(10)
        .outer_margin(egui::Margin {
            left: 0,
            right: 8,
            top: 0,
            bottom: 8,
        })
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(&row.title).strong().size(17.0));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(tr(T::Start, l)).clicked() {
                        open = true;
                    }
                });
            });
            ui.label(egui::RichText::new(&row.summary).color(theme::MUTED));
            ui.horizontal_wrapped(|ui| {
                let personality = if row.drawn {
                    format!("{}: {}", tr(T::Personality, l), tr(T::Drawn, l))
                } else {
                    format!(
                        "{}: {}",
                        tr(T::Personality, l),
                        row.personalities
                            .iter()
                            .map(|p| p.name(l))
                            .collect::<Vec<_>>()
                            .join(" / ")
                    )
                };
                chip(ui, &personality);
                for c in &row.categories {
                    chip(ui, c.name(l));
                }
                chip(
                    ui,
                    &format!(
                        "{} {}",
                        tr(T::Difficulty, l),
                        "●".repeat(row.difficulty as usize)
                    ),
                );
                chip(ui, &format!("{} {}", row.minutes, tr(T::Minutes, l)));
                chip(ui, crate::text::locale_name(row.locale));
            });
        });
    open
}

fn chip(ui: &mut egui::Ui, text: &str) {
    egui::Frame::NONE
        .fill(egui::Color32::from_rgb(0xee, 0xf2, 0xf6))
        .corner_radius(10)
        .inner_margin(egui::Margin::symmetric(8, 2))
        .show(ui, |ui| {
            ui.label(egui::RichText::new(text).small());
        });
}
