//! The class vote in the app: starts and stops the vote's web server, keeps the open ballot
//! in step with the projected conversation, and remembers how the class split on each
//! decision for the debrief. The ballot box and the server are `crate::classvote`.

use crate::app::session::ActiveSession;
use crate::app::settings::Settings;
use crate::classvote::ClassSplit;
use crate::classvote::server::{Notify, Server, choose_address};
use crate::engine::{Event, Prompt};
use crate::text::{T, fill, tr};
use crate::vocabulary::{Locale, Personality};
use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use std::sync::Arc;

pub struct ClassVotePlugin;

impl Plugin for ClassVotePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ClassVote>().add_systems(
            Update,
            keep_ballot_current.after(crate::app::session::apply_intents),
        );
    }
}

/// The class vote of the projected session, if one runs.
#[derive(Resource, Default)]
pub struct ClassVote {
    server: Option<Server>,
    pub url: String,
    pub code: String,
    /// The QR code of `url`: its width and its modules, row by row (true = dark).
    pub qr: Option<(usize, Vec<bool>)>,
    /// The PC has no network: only the PC itself can open the page.
    pub loopback_only: bool,
    /// Why the vote could not start.
    pub problem: Option<String>,
    /// The decision the open ballot is for: its index in the session and its options.
    ballot_for: Option<(usize, Vec<String>)>,
    /// Which session the splits belong to (scenario path and seed).
    session_key: Option<(String, u64)>,
    /// How the class split, by the index of the decision in the session.
    pub splits: Vec<(usize, ClassSplit)>,
    /// The options tied for the most votes, for the presenter to choose among.
    pub tie: Vec<usize>,
    /// The presenter asked to close a vote nobody has voted in yet.
    pub no_votes: bool,
}

/// What the projector's vote panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassVoteView {
    pub url: String,
    pub code: String,
    pub qr: Option<(usize, Vec<bool>)>,
    pub counts: Vec<u32>,
    pub devices: usize,
    pub open: bool,
    pub tie: Vec<usize>,
    pub no_votes: bool,
    pub loopback_only: bool,
    pub locale: Locale,
}

impl ClassVote {
    pub fn running(&self) -> bool {
        self.server.is_some()
    }

    /// Starts serving at the address the settings name, in the class's language.
    pub fn start(&mut self, address_setting: &str, locale: Locale, notify: Option<Notify>) {
        self.end();
        let address = choose_address(address_setting);
        match Server::start_with(address, crate::classvote::new_code(), locale, notify) {
            Ok(server) => {
                self.url = server.url();
                self.code = server.with(|b| b.code().to_string());
                self.qr = qrcode::QrCode::new(self.url.as_bytes()).ok().map(|code| {
                    let width = code.width();
                    let modules = code
                        .to_colors()
                        .into_iter()
                        .map(|c| c == qrcode::Color::Dark)
                        .collect();
                    (width, modules)
                });
                self.loopback_only = server.address.ip().is_loopback();
                info!("class vote: the phones' page is at {}", self.url);
                self.problem = None;
                self.server = Some(server);
            }
            Err(e) => {
                self.problem = Some(fill(tr(T::VoteCouldNotStart, locale), &[&address, &e]));
            }
        }
    }

    /// Stops the server; the splits stay for the debrief.
    pub fn end(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
        self.ballot_for = None;
        self.tie.clear();
        self.no_votes = false;
    }

    /// Closes the open ballot: the option to play when one leads, else the tie (or, with no
    /// votes yet, nothing: the ballot stays open).
    pub fn close(&mut self) -> Option<usize> {
        let server = self.server.as_ref()?;
        let (decision, _) = self.ballot_for.clone()?;
        if server.with(|b| b.tally().counts.iter().sum::<u32>()) == 0 {
            self.no_votes = true;
            return None;
        }
        let split = server.with(|b| b.close())?;
        let leaders = split.leaders();
        self.splits.retain(|(d, _)| *d != decision);
        self.splits.push((decision, split));
        self.no_votes = false;
        if leaders.len() == 1 {
            self.tie.clear();
            Some(leaders[0])
        } else {
            self.tie = leaders;
            None
        }
    }

    pub fn view(&self, locale: Locale) -> Option<ClassVoteView> {
        let server = self.server.as_ref()?;
        let tally = server.with(|b| b.tally());
        Some(ClassVoteView {
            url: self.url.clone(),
            code: self.code.clone(),
            qr: self.qr.clone(),
            counts: tally.counts,
            devices: tally.devices,
            open: tally.open,
            tie: self.tie.clone(),
            no_votes: self.no_votes,
            loopback_only: self.loopback_only,
            locale,
        })
    }
}

/// A closure that wakes the sleeping window when a vote arrives.
pub fn waker(proxy: Option<&EventLoopProxyWrapper>) -> Option<Notify> {
    let proxy = (**proxy?).clone();
    Some(Arc::new(move || {
        let _ = proxy.send_event(WinitUserEvent::WakeUp);
    }))
}

/// The customer's latest line, which the phones show above the options.
fn last_customer_line(events: &[Event]) -> String {
    events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::CustomerSays { text, .. } => Some(text.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

/// Opens a ballot for each new decision of the projected session and withdraws it when
/// there is nothing to vote on; forgets the splits of an earlier session and of decisions
/// taken back.
fn keep_ballot_current(
    active: Res<ActiveSession>,
    settings: Res<Settings>,
    mut vote: ResMut<ClassVote>,
) {
    let Some(run) = &active.current else {
        return;
    };
    let key = (run.path.clone(), run.session.seed());
    let decisions = run.session.decisions().len();
    if vote.session_key.as_ref() != Some(&key) {
        vote.session_key = Some(key);
        vote.splits.clear();
        vote.ballot_for = None;
    }
    vote.splits.retain(|(d, _)| *d < decisions);
    if !vote.running() {
        return;
    }
    let l = settings.language;
    let options: Vec<String> = match run.session.prompt() {
        Prompt::Choices(list) => list.into_iter().map(|(_, t)| t.to_string()).collect(),
        Prompt::Diagnose { .. } => Personality::ALL
            .iter()
            .map(|p| p.name(l).to_string())
            .collect(),
        Prompt::Ended => Vec::new(),
    };
    let wanted = (!options.is_empty()).then(|| (decisions, options.clone()));
    if vote.ballot_for == wanted {
        return;
    }
    let line = last_customer_line(run.session.events());
    let customer = run.scenario.file.customer.name.clone();
    if let Some(server) = &vote.server {
        server.with(|b| {
            if options.is_empty() {
                b.withdraw();
            } else {
                b.open(&customer, &line, options);
            }
        });
    }
    vote.ballot_for = wanted;
    vote.tie.clear();
    vote.no_votes = false;
}
