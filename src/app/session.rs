//! Intents and the one system that applies them: screens say what the user wants, this
//! changes the session, the settings and the screen.

use super::Screen;
use super::library::{Library, ScenarioUpdated};
use super::settings::Settings;
use crate::compile::Scenario;
use crate::debrief::{Debrief, debrief_without_review};
use crate::engine::Session;
use crate::vocabulary::{Category, Locale, Personality};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Practice,
    Assessment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    Json,
}

/// Everything a screen can ask for.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum Intent {
    Navigate(Screen),
    SetFilter(LibraryFilter),
    OpenScenario(String),
    SetMode(Mode),
    SetSeed(u64),
    SetPersonality(Option<Personality>),
    Start,
    Choose(usize),
    Undo,
    Restart,
    KeepOutdated,
    Reveal(bool),
    ShowDebrief,
    Replay,
    TryPersonality(Personality),
    Export(ExportFormat),
    SetLanguage(Locale),
    SetTextScale(f32),
    SetPresentation(bool),
    SetFolder(Option<String>),
    RestartApp,
    /// Practise as this trainee (created if new); their finished sessions go in their history.
    ChooseTrainee(String),
    /// Open an account (its file in the scenario folder): resumed where the trainee left it.
    OpenAccount(String),
    /// Play the open account's next visit or interlude.
    StartAccountStep,
    /// Start the open account afresh.
    RestartAccount,
    /// Write the current trainee's history as CSV (true) or JSON (false).
    ExportHistory(bool),
    /// Serve the class vote page and put each decision to the class.
    StartClassVote,
    /// Close the vote on this decision and play the class's choice (or ask on a tie).
    CloseClassVote,
    /// Stop the class vote's server.
    EndClassVote,
    /// Import a class's results: from this folder, or (None) from the LRS.
    ImportClass(Option<String>),
    /// Save the class view as CSV in the export folder.
    SaveClassCsv,
    /// Listen for the class vote at this address (`auto` or address:port).
    SetVoteAddress(String),
    /// Send the outbox to the learning record store now.
    SyncNow,
    /// Replace the learning record store settings (None: stop sending).
    SetLrs(Option<crate::settings::LrsSettings>),
}

#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct LibraryFilter {
    pub personality: Option<Personality>,
    pub category: Option<Category>,
    pub locale: Option<Locale>,
    pub search: String,
}

/// The scenario chosen in the library and how the trainee wants to play it.
#[derive(Resource, Debug, Clone, Default)]
pub struct Briefing {
    pub path: Option<String>,
    pub mode: Mode,
    pub seed: u64,
    /// Fixes a drawn personality (used by "try another personality").
    pub personality: Option<Personality>,
}

#[derive(Resource, Default)]
pub struct ActiveSession {
    pub current: Option<Running>,
    /// A line for the user after an export.
    pub notice: Option<String>,
}

pub struct Running {
    pub path: String,
    pub scenario: Arc<Scenario>,
    pub session: Session,
    pub mode: Mode,
    pub personality: Option<Personality>,
    /// Sessions before each choice, for undo in practice mode.
    pub history: Vec<Session>,
    /// The file changed on disk since this session started.
    pub outdated: bool,
    /// Presentation mode: scores and feedback shown.
    pub revealed: bool,
    pub debrief: Option<Debrief>,
    /// Saved in the trainee's history already (a debrief shown twice saves once).
    pub saved: bool,
    /// A step of the open account: its end goes to the account, and it cannot be replayed
    /// on its own.
    pub account_step: bool,
    /// When the trainee started (for the duration in the history and in xAPI statements).
    pub started: std::time::Instant,
}

impl Running {
    /// Seconds since the trainee started.
    pub fn seconds(&self) -> u32 {
        self.started.elapsed().as_secs() as u32
    }
}

pub struct SessionPlugin;

impl Plugin for SessionPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<Intent>()
            .init_resource::<LibraryFilter>()
            .init_resource::<Briefing>()
            .init_resource::<ActiveSession>()
            .add_systems(Update, (mark_outdated, apply_intents).chain());
    }
}

fn mark_outdated(mut updates: MessageReader<ScenarioUpdated>, mut active: ResMut<ActiveSession>) {
    for update in updates.read() {
        if let Some(run) = &mut active.current
            && run.path == update.path
        {
            run.outdated = true;
        }
    }
}

fn start(briefing: &Briefing, library: &Library) -> Option<Running> {
    let path = briefing.path.clone()?;
    let scenario = library.get(&path)?.scenario.clone()?;
    let personality = briefing
        .personality
        .filter(|p| scenario.personalities.contains(p));
    let session = match personality {
        Some(p) => Session::with_personality(scenario.clone(), briefing.seed, p),
        None => Session::new(scenario.clone(), briefing.seed),
    };
    Some(Running {
        path,
        scenario,
        session,
        mode: briefing.mode,
        personality,
        history: Vec::new(),
        outdated: false,
        revealed: false,
        debrief: None,
        saved: false,
        account_step: false,
        started: std::time::Instant::now(),
    })
}

/// Plays the `shown`-th choice of the running session (undo keeps the position before it).
fn choose(active: &mut ActiveSession, shown: usize) {
    if let Some(run) = &mut active.current {
        let before = run.session.clone();
        if run.session.choose(shown).is_ok() {
            if run.mode == Mode::Practice {
                run.history.push(before);
            }
            run.revealed = false;
        }
    }
}

/// A seed from the clock, for "new seed"; sessions themselves never read the clock.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    nanos % 1_000_000
}

#[allow(clippy::too_many_arguments)]
pub fn apply_intents(
    mut intents: MessageReader<Intent>,
    mut next: ResMut<NextState<Screen>>,
    mut filter: ResMut<LibraryFilter>,
    mut briefing: ResMut<Briefing>,
    mut active: ResMut<ActiveSession>,
    mut settings: ResMut<Settings>,
    library: Res<Library>,
    mut trainees: ResMut<super::trainees::Trainees>,
    mut accounts: ResMut<super::accounts::Accounts>,
    history_path: Option<Res<super::trainees::HistoryPath>>,
    mut class: ResMut<super::classvote::ClassVote>,
    mut sync: ResMut<super::sync::Sync>,
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
    (mut room, watched): (
        ResMut<super::class::ClassRoom>,
        Option<Res<super::idle::WatchedFolder>>,
    ),
) {
    for intent in intents.read() {
        match intent.clone() {
            Intent::Navigate(screen) => next.set(screen),
            Intent::SetFilter(f) => *filter = f,
            Intent::OpenScenario(path) => {
                if briefing.path.as_deref() != Some(path.as_str()) {
                    briefing.personality = None;
                }
                briefing.path = Some(path);
                if briefing.seed == 0 {
                    briefing.seed = fresh_seed();
                }
                next.set(Screen::Briefing);
            }
            Intent::SetMode(mode) => briefing.mode = mode,
            Intent::SetSeed(seed) => briefing.seed = seed,
            Intent::SetPersonality(p) => briefing.personality = p,
            Intent::Restart if active.current.as_ref().is_some_and(|r| r.account_step) => {
                if let Some(account) = &accounts.active
                    && let Some(session) = account.run.start_step()
                    && let Some(run) = &mut active.current
                    && !run.saved
                {
                    run.session = session;
                    run.started = std::time::Instant::now();
                    run.history.clear();
                    run.debrief = None;
                    next.set(Screen::RolePlay);
                }
            }
            Intent::Start | Intent::Restart => {
                if let Some(run) = start(&briefing, &library) {
                    active.current = Some(run);
                    active.notice = None;
                    next.set(Screen::RolePlay);
                }
            }
            Intent::KeepOutdated => {
                if let Some(run) = &mut active.current {
                    run.outdated = false;
                }
            }
            Intent::Choose(shown) => choose(&mut active, shown),
            Intent::StartClassVote => class.start(
                &settings.class_vote_address,
                settings.language,
                super::classvote::waker(proxy.as_deref()),
            ),
            Intent::CloseClassVote => {
                if let Some(shown) = class.close() {
                    choose(&mut active, shown);
                }
            }
            Intent::EndClassVote => class.end(),
            Intent::SyncNow => sync.request(),
            Intent::ImportClass(from) => {
                let scenarios = super::class::scenario_folder(watched.as_deref());
                match (from, settings.lrs.clone()) {
                    (Some(folder), _) => room.import_folder(folder, scenarios),
                    (None, Some(lrs)) => room.fetch(lrs, scenarios),
                    (None, None) => {}
                }
            }
            Intent::SaveClassCsv => room.save_csv(export_dir(), settings.language),
            Intent::SetVoteAddress(address) => {
                let (corrected, _) = crate::settings::Settings {
                    class_vote_address: address,
                    ..crate::settings::Settings::default()
                }
                .corrected();
                settings.class_vote_address = corrected.class_vote_address;
            }
            Intent::SetLrs(lrs) => {
                settings.lrs = lrs;
                sync.request();
            }
            Intent::Undo => {
                if let Some(run) = &mut active.current
                    && run.mode == Mode::Practice
                    && let Some(previous) = run.history.pop()
                {
                    run.session = previous;
                    run.debrief = None;
                }
            }
            Intent::Reveal(on) => {
                if let Some(run) = &mut active.current {
                    run.revealed = on;
                }
            }
            Intent::ShowDebrief => {
                if let Some(run) = &mut active.current
                    && run.session.is_ended()
                {
                    if run.debrief.is_none() {
                        // The best choices per decision fill in off the UI thread (review.rs).
                        run.debrief = debrief_without_review(&run.session);
                    }
                    if run.account_step {
                        if !run.saved {
                            if let Err(why) = accounts.finish_step(
                                &run.session,
                                history_path.as_deref(),
                                run.seconds(),
                            ) {
                                accounts.notice = Some(why);
                            }
                            run.saved = true;
                        }
                    } else if !run.saved
                        && let Some(path) = &history_path
                        && let Some(mut record) = crate::history::record(
                            &run.session,
                            match run.mode {
                                Mode::Practice => "practice",
                                Mode::Assessment => "assessment",
                            },
                        )
                        && trainees.current.is_some()
                    {
                        record.duration_secs = Some(run.seconds());
                        trainees.save(path, record);
                        run.saved = true;
                    }
                    next.set(Screen::Debrief);
                }
            }
            Intent::Replay | Intent::TryPersonality(_)
                if active.current.as_ref().is_some_and(|r| r.account_step) => {}
            Intent::Replay => {
                if let Some(run) = &active.current {
                    briefing.path = Some(run.path.clone());
                    briefing.seed = run.session.seed();
                    briefing.mode = run.mode;
                    briefing.personality = run.personality;
                }
                if let Some(run) = start(&briefing, &library) {
                    active.current = Some(run);
                    next.set(Screen::RolePlay);
                }
            }
            Intent::TryPersonality(p) => {
                if let Some(run) = &active.current {
                    briefing.path = Some(run.path.clone());
                    briefing.seed = run.session.seed();
                    briefing.mode = run.mode;
                }
                briefing.personality = Some(p);
                if let Some(run) = start(&briefing, &library) {
                    active.current = Some(run);
                    next.set(Screen::RolePlay);
                }
            }
            Intent::Export(format) => {
                let notice = active
                    .current
                    .as_ref()
                    .and_then(|run| run.debrief.as_ref())
                    .map(|d| match export(d, format) {
                        Ok(path) => format!(
                            "{}: {}",
                            crate::text::tr(crate::text::T::Exported, settings.language),
                            path.display()
                        ),
                        Err(e) => format!(
                            "{}: {e}",
                            crate::text::tr(crate::text::T::ExportFailed, settings.language)
                        ),
                    });
                active.notice = notice;
            }
            Intent::SetLanguage(l) => settings.language = l,
            Intent::SetTextScale(s) => settings.text_scale = s,
            Intent::SetPresentation(on) => settings.presentation = on,
            Intent::SetFolder(folder) => {
                settings.scenario_folder = folder.filter(|f| !f.trim().is_empty())
            }
            Intent::RestartApp => restart_app(),
            Intent::OpenAccount(file) => {
                accounts.open(
                    &file,
                    trainees.current.clone(),
                    history_path.as_deref(),
                    fresh_seed(),
                );
                next.set(Screen::Account);
            }
            Intent::RestartAccount => accounts.restart(fresh_seed()),
            Intent::ExportHistory(csv) => {
                if let Some(path) = &history_path {
                    trainees.export(path, csv, export_dir());
                }
            }
            Intent::StartAccountStep => {
                if let Some(account) = &accounts.active
                    && let Some(session) = account.run.start_step()
                {
                    active.current = Some(Running {
                        path: account.file.clone(),
                        scenario: session.scenario().clone(),
                        session,
                        mode: Mode::Practice,
                        personality: None,
                        history: Vec::new(),
                        outdated: false,
                        revealed: false,
                        debrief: None,
                        saved: false,
                        account_step: true,
                        started: std::time::Instant::now(),
                    });
                    active.notice = None;
                    next.set(Screen::RolePlay);
                }
            }
            Intent::ChooseTrainee(name) => {
                let name = name.trim().to_string();
                if accounts
                    .active
                    .as_ref()
                    .is_some_and(|a| a.trainee.as_deref() != Some(name.as_str()))
                {
                    // One trainee never continues another's account.
                    accounts.active = None;
                }
                if !name.is_empty() {
                    trainees.current = Some(name.clone());
                    trainees.progress = None;
                    if let Some(path) = &history_path {
                        trainees.refresh(path, Some(name));
                        trainees.load_progress(path);
                    }
                }
            }
        }
    }
}

/// Where exports go: `RAPPORT_EXPORT_DIR`, else the user's documents folder, else here.
pub fn export_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RAPPORT_EXPORT_DIR") {
        return PathBuf::from(dir);
    }
    directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.join("Rapport")))
        .unwrap_or_else(|| PathBuf::from("rapport-debriefs"))
}

fn export(d: &Debrief, format: ExportFormat) -> std::io::Result<PathBuf> {
    let (text, ext) = match format {
        ExportFormat::Markdown => (d.to_markdown(), "md"),
        ExportFormat::Json => (d.to_json(), "json"),
    };
    let path = export_dir().join(format!(
        "{}-seed{}-{}.{ext}",
        d.report.scenario,
        d.report.seed,
        d.report.personality.code()
    ));
    super::settings::write_atomically(&path, &text)?;
    Ok(path)
}

/// Starts a fresh copy of the app and ends this one (to watch a newly chosen folder).
fn restart_app() {
    if let Ok(exe) = std::env::current_exe()
        && std::process::Command::new(exe).spawn().is_ok()
    {
        std::process::exit(0);
    }
}
