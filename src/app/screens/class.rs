//! The class view screen: import a class's results, then the heat map of the class, a row per
//! trainee, the decisions most often got wrong, and the scenario to run with everyone next.

use super::{key, root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::class::{ClassRoom, Imported};
use crate::app::session::Intent;
use crate::app::settings::Settings;
use crate::app::theme;
use crate::text::{T, fill, tr};
use crate::vocabulary::{Category, Locale, Personality};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub struct ClassScreenPlugin;

impl Plugin for ClassScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            class_screen.run_if(in_state(Screen::Class)),
        );
    }
}

/// What the class view screen shows.
pub struct ClassScreenView<'a> {
    pub imported: Option<&'a Imported>,
    pub busy: bool,
    pub notice: Option<String>,
    pub lrs_set: bool,
    pub locale: Locale,
}

fn class_screen(
    mut contexts: EguiContexts,
    room: Res<ClassRoom>,
    settings: Res<Settings>,
    mut folder: Local<Option<String>>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Class, settings.language) {
        intents.write(intent);
    }
    let view = ClassScreenView {
        imported: room.imported.as_ref(),
        busy: room.busy(),
        notice: room.notice.clone(),
        lrs_set: settings.lrs.is_some(),
        locale: settings.language,
    };
    let folder = folder.get_or_insert_with(|| {
        crate::app::session::export_dir()
            .join("class")
            .display()
            .to_string()
    });
    if let Some(intent) = class_ui(&mut ui, &view, folder) {
        intents.write(intent);
    }
    Ok(())
}

/// The screen's body; `folder` is the text in the folder field.
pub fn class_ui(ui: &mut egui::Ui, view: &ClassScreenView, folder: &mut String) -> Option<Intent> {
    let l = view.locale;
    let mut intent = None;
    if key(ui.ctx(), egui::Key::Escape) {
        intent = Some(Intent::Navigate(Screen::Library));
    }
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading(tr(T::ClassView, l));
            ui.label(
                egui::RichText::new(tr(T::ClassFolderHint, l))
                    .small()
                    .color(theme::MUTED),
            );
            ui.horizontal_wrapped(|ui| {
                ui.add(egui::TextEdit::singleline(folder).desired_width(420.0));
                if ui
                    .add_enabled(!view.busy, egui::Button::new(tr(T::ClassImportFolder, l)))
                    .clicked()
                {
                    intent = Some(Intent::ImportClass(Some(folder.clone())));
                }
                if view.lrs_set
                    && ui
                        .add_enabled(!view.busy, egui::Button::new(tr(T::ClassImportLrs, l)))
                        .clicked()
                {
                    intent = Some(Intent::ImportClass(None));
                }
                if view.imported.is_some()
                    && ui
                        .add_enabled(!view.busy, egui::Button::new(tr(T::ClassSaveCsv, l)))
                        .clicked()
                {
                    intent = Some(Intent::SaveClassCsv);
                }
            });
            if view.busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr(T::ClassLoading, l));
                });
            }
            if let Some(notice) = &view.notice {
                ui.label(egui::RichText::new(notice).small());
            }
            let Some(imported) = view.imported else {
                ui.label(tr(T::ClassEmpty, l));
                return;
            };
            for problem in &imported.problems {
                ui.label(egui::RichText::new(problem).small().color(theme::BAD));
            }
            let c = &imported.view;
            if c.trainees.is_empty() {
                ui.label(tr(T::ClassEmpty, l));
                return;
            }
            if let Some((p, cat, mean, _)) = &c.run_next {
                section(ui, tr(T::ClassRunNext, l));
                ui.horizontal_wrapped(|ui| {
                    ui.label(fill(
                        tr(T::ClassRunNextWhy, l),
                        &[&p.name(l), &cat.name(l), &format!("{mean:.0}")],
                    ));
                    if let Some(file) = &imported.run_next_file
                        && ui
                            .button(format!("{} {file}", tr(T::OpenScenario, l)))
                            .clicked()
                    {
                        intent = Some(Intent::OpenScenario(file.clone()));
                    }
                });
            }
            section(ui, tr(T::ClassHeatMap, l));
            egui::Grid::new("class-map")
                .spacing([4.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    for cat in Category::ALL {
                        ui.label(egui::RichText::new(cat.name(l)).strong());
                    }
                    ui.end_row();
                    for p in Personality::ALL {
                        ui.label(egui::RichText::new(p.name(l)).strong());
                        for cat in Category::ALL {
                            let cell = c.map[p.index()][cat.index()];
                            let text = cell
                                .mean
                                .map_or("·".to_string(), |m| format!("{m:.0} ({})", cell.visits));
                            let fill = super::progress::cell_colour(cell.mean);
                            egui::Frame::NONE
                                .fill(fill)
                                .inner_margin(egui::Margin::symmetric(10, 6))
                                .show(ui, |ui| {
                                    ui.set_min_width(90.0);
                                    ui.label(egui::RichText::new(text).color(egui::Color32::BLACK));
                                });
                        }
                        ui.end_row();
                    }
                });
            section(ui, tr(T::ClassTrainees, l));
            egui::Grid::new("class-trainees")
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        T::Trainee,
                        T::ClassVisits,
                        T::ClassMeanScore,
                        T::ClassTrustEnd,
                        T::ClassWeakest,
                    ] {
                        ui.label(egui::RichText::new(tr(h, l)).strong());
                    }
                    ui.end_row();
                    for t in &c.trainees {
                        ui.label(&t.trainee);
                        ui.label(t.visits.to_string());
                        ui.label(format!("{:.0}", t.mean_score));
                        ui.label(
                            t.mean_trust_end
                                .map_or(String::new(), |x| format!("{x:.0}")),
                        );
                        ui.label(t.weakest.map_or(String::new(), |(p, cat)| {
                            format!("{} × {}", p.name(l), cat.name(l))
                        }));
                        ui.end_row();
                    }
                });
            section(ui, tr(T::ClassMostMissed, l));
            for m in &c.missed {
                ui.label(
                    egui::RichText::new(format!(
                        "{} · {}",
                        m.title,
                        fill(tr(T::ClassMissedBy, l), &[&m.missed, &m.attempts])
                    ))
                    .strong(),
                );
                ui.add(
                    egui::Label::new(egui::RichText::new(format!("“{}”", m.line)).small()).wrap(),
                );
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(format!(
                            "{}: {}",
                            tr(T::ClassBestLine, l),
                            m.best_choice
                        ))
                        .small()
                        .color(theme::GOOD),
                    )
                    .wrap(),
                );
                ui.add_space(4.0);
            }
            if c.skipped + c.not_replayed > 0 {
                ui.label(
                    egui::RichText::new(fill(
                        tr(T::ClassSkipped, l),
                        &[&(c.skipped + c.not_replayed)],
                    ))
                    .small()
                    .color(theme::MUTED),
                );
            }
        });
    });
    intent
}
