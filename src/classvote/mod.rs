//! The class vote: students vote from their phones on the projected conversation's decision.
//! This module is the ballot box — who may vote, what counts, the tally and the class's split
//! per decision — with the clock passed in, so every rule is tested without a network. The
//! web server around it is `server.rs`; the app opens and closes ballots.
//!
//! What it keeps is anonymous: a device is a random token the server hands out, a vote is
//! that token's choice for the open ballot only, and a closed ballot keeps only its counts.

pub mod server;

use crate::text::{T, tr};
use crate::vocabulary::Locale;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;

/// Devices one class vote accepts (a lecture hall, with room to spare).
pub const MAX_DEVICES: usize = 1000;
/// Votes one device may cast in a burst, then one every `VOTE_REFILL_MS`.
pub const VOTE_BURST: u32 = 5;
pub const VOTE_REFILL_MS: u64 = 2000;
/// Devices one network address may join per minute: a class behind one school router shares
/// an address, so this is generous; it stops a script from exhausting `MAX_DEVICES`.
pub const JOINS_PER_ADDRESS_PER_MINUTE: u32 = 400;
/// The longest request body the server reads.
pub const MAX_BODY_BYTES: usize = 2048;

/// A decision put to the class: what the customer just said and the options, as the
/// projector shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ballot {
    /// Counts up from 1 for each decision of the session; a vote names the ballot it is for,
    /// so a late vote for an earlier decision cannot land on the next one.
    pub number: u32,
    pub customer: String,
    pub line: String,
    pub options: Vec<String>,
}

/// How the class split on one decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSplit {
    pub number: u32,
    pub line: String,
    pub options: Vec<String>,
    pub counts: Vec<u32>,
}

impl ClassSplit {
    pub fn voters(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// The options with the most votes (several on a tie, none when nobody voted).
    pub fn leaders(&self) -> Vec<usize> {
        let most = self.counts.iter().copied().max().unwrap_or(0);
        if most == 0 {
            return Vec::new();
        }
        (0..self.counts.len())
            .filter(|&i| self.counts[i] == most)
            .collect()
    }
}

/// Why a request changed nothing. Each has the HTTP status the server answers with and a
/// message in the class's language for the student's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    WrongCode,
    UnknownDevice,
    NoBallot,
    /// The vote names an earlier ballot, or the ballot is closed.
    Closed,
    NoSuchOption {
        options: usize,
    },
    TooFast,
    Full,
    TooLarge,
    Invalid(String),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::WrongCode => 403,
            Refusal::UnknownDevice => 401,
            Refusal::NoBallot | Refusal::Closed => 409,
            Refusal::NoSuchOption { .. } | Refusal::Invalid(_) => 400,
            Refusal::TooFast => 429,
            Refusal::Full => 503,
            Refusal::TooLarge => 413,
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        match self {
            Refusal::WrongCode => tr(T::VoteWrongCode, locale).to_string(),
            Refusal::UnknownDevice => tr(T::VoteUnknownDevice, locale).to_string(),
            Refusal::NoBallot => tr(T::VoteWaiting, locale).to_string(),
            Refusal::Closed => tr(T::VoteClosed, locale).to_string(),
            Refusal::NoSuchOption { options } => {
                crate::text::fill(tr(T::VoteNoSuchOption, locale), &[options])
            }
            Refusal::TooFast => tr(T::VoteTooFast, locale).to_string(),
            Refusal::Full => tr(T::VoteFull, locale).to_string(),
            Refusal::TooLarge => crate::text::fill(tr(T::VoteTooLarge, locale), &[&MAX_BODY_BYTES]),
            Refusal::Invalid(what) => crate::text::fill(tr(T::VoteInvalid, locale), &[what]),
        }
    }
}

/// A token bucket: `burst` at once, then one more every `refill_ms`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: u64,
}

impl Bucket {
    fn full(burst: u32, now_ms: u64) -> Bucket {
        Bucket {
            tokens: burst as f64,
            at_ms: now_ms,
        }
    }

    fn take(&mut self, burst: u32, refill_ms: u64, now_ms: u64) -> bool {
        let elapsed = now_ms.saturating_sub(self.at_ms) as f64;
        self.tokens = (self.tokens + elapsed / refill_ms as f64).min(burst as f64);
        self.at_ms = now_ms.max(self.at_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What a student's phone shows: the ballot if one is open, and the student's own vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BallotView {
    pub ballot: Option<Ballot>,
    pub open: bool,
    pub mine: Option<usize>,
}

/// The live count the projector shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    pub number: u32,
    pub open: bool,
    pub counts: Vec<u32>,
    pub devices: usize,
}

/// The ballot box of one class vote.
#[derive(Debug)]
pub struct VoteBox {
    code: String,
    pub locale: Locale,
    ballot: Option<Ballot>,
    open: bool,
    votes: HashMap<u64, usize>,
    devices: HashMap<u64, Bucket>,
    joins: HashMap<IpAddr, Bucket>,
    splits: Vec<ClassSplit>,
}

/// A random number from the operating system's entropy (std seeds `RandomState` from it).
fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// A four-digit session code, 1000–9999.
pub fn new_code() -> String {
    (1000 + random_u64() % 9000).to_string()
}

impl VoteBox {
    pub fn new(code: String, locale: Locale) -> VoteBox {
        VoteBox {
            code,
            locale,
            ballot: None,
            open: false,
            votes: HashMap::new(),
            devices: HashMap::new(),
            joins: HashMap::new(),
            splits: Vec::new(),
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    fn check_code(&self, code: &str) -> Result<(), Refusal> {
        if code.trim() == self.code {
            Ok(())
        } else {
            Err(Refusal::WrongCode)
        }
    }

    /// A phone joins with the session code and gets its device token.
    pub fn join(&mut self, code: &str, from: IpAddr, now_ms: u64) -> Result<String, Refusal> {
        self.check_code(code)?;
        if self.devices.len() >= MAX_DEVICES {
            return Err(Refusal::Full);
        }
        let bucket = self
            .joins
            .entry(from)
            .or_insert_with(|| Bucket::full(JOINS_PER_ADDRESS_PER_MINUTE, now_ms));
        if !bucket.take(
            JOINS_PER_ADDRESS_PER_MINUTE,
            60_000 / JOINS_PER_ADDRESS_PER_MINUTE as u64,
            now_ms,
        ) {
            return Err(Refusal::TooFast);
        }
        let mut token = random_u64();
        while token == 0 || self.devices.contains_key(&token) {
            token = random_u64();
        }
        self.devices.insert(token, Bucket::full(VOTE_BURST, now_ms));
        Ok(format!("{token:016x}"))
    }

    fn device(&self, token: &str) -> Result<u64, Refusal> {
        let parsed = (token.len() == 16)
            .then(|| u64::from_str_radix(token, 16).ok())
            .flatten();
        parsed
            .filter(|t| self.devices.contains_key(t))
            .ok_or(Refusal::UnknownDevice)
    }

    /// What `device` sees now.
    pub fn view(&self, code: &str, device: Option<&str>) -> Result<BallotView, Refusal> {
        self.check_code(code)?;
        let mine = device
            .and_then(|d| self.device(d).ok())
            .and_then(|d| self.votes.get(&d).copied())
            .filter(|_| self.open);
        Ok(BallotView {
            ballot: self.ballot.clone(),
            open: self.open,
            mine,
        })
    }

    /// A vote: the device's earlier vote on this ballot is replaced. Nothing changes when it
    /// is refused.
    pub fn vote(
        &mut self,
        code: &str,
        device: &str,
        ballot: u32,
        option: usize,
        now_ms: u64,
    ) -> Result<usize, Refusal> {
        self.check_code(code)?;
        let token = self.device(device)?;
        let current = self.ballot.as_ref().ok_or(Refusal::NoBallot)?;
        if !self.open || current.number != ballot {
            return Err(Refusal::Closed);
        }
        if option >= current.options.len() {
            return Err(Refusal::NoSuchOption {
                options: current.options.len(),
            });
        }
        let bucket = self.devices.get_mut(&token).ok_or(Refusal::UnknownDevice)?;
        if !bucket.take(VOTE_BURST, VOTE_REFILL_MS, now_ms) {
            return Err(Refusal::TooFast);
        }
        self.votes.insert(token, option);
        Ok(option)
    }

    /// Puts a new decision to the class; votes on the last one are gone.
    pub fn open(&mut self, customer: &str, line: &str, options: Vec<String>) -> u32 {
        let number = self.ballot.as_ref().map_or(1, |b| b.number + 1);
        self.ballot = Some(Ballot {
            number,
            customer: customer.to_string(),
            line: line.to_string(),
            options,
        });
        self.open = true;
        self.votes.clear();
        number
    }

    pub fn tally(&self) -> Tally {
        let options = self.ballot.as_ref().map_or(0, |b| b.options.len());
        let mut counts = vec![0; options];
        for &v in self.votes.values() {
            if let Some(c) = counts.get_mut(v) {
                *c += 1;
            }
        }
        Tally {
            number: self.ballot.as_ref().map_or(0, |b| b.number),
            open: self.open,
            counts,
            devices: self.devices.len(),
        }
    }

    /// Closes the open ballot and keeps how the class split (counts only).
    pub fn close(&mut self) -> Option<ClassSplit> {
        if !self.open {
            return None;
        }
        self.open = false;
        let tally = self.tally();
        let ballot = self.ballot.as_ref()?;
        let split = ClassSplit {
            number: ballot.number,
            line: ballot.line.clone(),
            options: ballot.options.clone(),
            counts: tally.counts,
        };
        self.votes.clear();
        self.splits.push(split.clone());
        Some(split)
    }

    /// Withdraws the open ballot without counting it (the presenter played on by hand).
    pub fn withdraw(&mut self) {
        self.open = false;
        self.votes.clear();
    }

    pub fn splits(&self) -> &[ClassSplit] {
        &self.splits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    fn open_box() -> VoteBox {
        let mut b = VoteBox::new("4821".into(), Locale::En);
        b.open(
            "Mr Li",
            "Too expensive.",
            vec!["a".into(), "b".into(), "c".into()],
        );
        b
    }

    #[test]
    fn a_later_vote_replaces_the_earlier_one() {
        let mut b = open_box();
        let d = b.join("4821", ip(1), 0).expect("joins");
        b.vote("4821", &d, 1, 0, 10).expect("counted");
        b.vote("4821", &d, 1, 2, 20).expect("counted");
        assert_eq!(b.tally().counts, [0, 0, 1]);
        assert_eq!(b.view("4821", Some(&d)).expect("view").mine, Some(2));
    }

    #[test]
    fn refused_requests_change_nothing() {
        let mut b = open_box();
        let d = b.join("4821", ip(1), 0).expect("joins");
        b.vote("4821", &d, 1, 1, 0).expect("counted");
        let before = b.tally();
        let cases: Vec<(Result<usize, Refusal>, Refusal)> = vec![
            (b.vote("1111", &d, 1, 0, 1), Refusal::WrongCode),
            (
                b.vote("4821", "ffffffffffffffff", 1, 0, 1),
                Refusal::UnknownDevice,
            ),
            (
                b.vote("4821", "not a token", 1, 0, 1),
                Refusal::UnknownDevice,
            ),
            (b.vote("4821", &d, 0, 0, 1), Refusal::Closed),
            (
                b.vote("4821", &d, 1, 3, 1),
                Refusal::NoSuchOption { options: 3 },
            ),
        ];
        for (got, expected) in cases {
            assert_eq!(got, Err(expected));
        }
        assert_eq!(b.tally(), before);
        assert_eq!(b.join("0000", ip(2), 0), Err(Refusal::WrongCode));
    }

    #[test]
    fn votes_are_rate_limited_per_device_and_refill_over_time() {
        let mut b = open_box();
        let d = b.join("4821", ip(1), 0).expect("joins");
        for _ in 0..VOTE_BURST {
            b.vote("4821", &d, 1, 0, 0).expect("within the burst");
        }
        assert_eq!(b.vote("4821", &d, 1, 1, 0), Err(Refusal::TooFast));
        assert_eq!(
            b.tally().counts,
            [1, 0, 0],
            "the refused vote changed nothing"
        );
        assert_eq!(b.vote("4821", &d, 1, 1, VOTE_REFILL_MS), Ok(1));
        // Another device is not held back by the first one.
        let e = b.join("4821", ip(1), 0).expect("joins");
        assert_eq!(b.vote("4821", &e, 1, 2, 0), Ok(2));
    }

    #[test]
    fn closing_keeps_only_the_split_and_a_late_vote_cannot_land_on_the_next_decision() {
        let mut b = open_box();
        let devices: Vec<String> = (0..5)
            .map(|i| b.join("4821", ip(i), 0).expect("joins"))
            .collect();
        for (d, option) in devices.iter().zip([0, 2, 2, 1, 2]) {
            b.vote("4821", d, 1, option, 0).expect("counted");
        }
        let split = b.close().expect("was open");
        assert_eq!(split.counts, [1, 1, 3]);
        assert_eq!(split.leaders(), [2]);
        assert_eq!(
            b.vote("4821", &devices[0], 1, 0, 5000),
            Err(Refusal::Closed)
        );
        let next = b.open("Mr Li", "And the delivery?", vec!["x".into(), "y".into()]);
        assert_eq!(next, 2);
        assert_eq!(
            b.vote("4821", &devices[0], 1, 0, 5000),
            Err(Refusal::Closed)
        );
        assert_eq!(b.tally().counts, [0, 0]);
        assert_eq!(b.splits().len(), 1);
    }

    #[test]
    fn ties_name_every_leader_and_an_empty_vote_names_none() {
        let split = |counts: Vec<u32>| ClassSplit {
            number: 1,
            line: String::new(),
            options: vec![String::new(); counts.len()],
            counts,
        };
        assert_eq!(split(vec![2, 0, 2]).leaders(), [0, 2]);
        assert!(split(vec![0, 0]).leaders().is_empty());
    }

    #[test]
    fn joins_from_one_address_are_bounded() {
        let mut b = open_box();
        let admitted = (0..JOINS_PER_ADDRESS_PER_MINUTE + 10)
            .filter(|_| b.join("4821", ip(9), 0).is_ok())
            .count();
        assert_eq!(admitted, JOINS_PER_ADDRESS_PER_MINUTE as usize);
        assert!(
            b.join("4821", ip(10), 0).is_ok(),
            "another address is not held back"
        );
    }

    #[test]
    fn codes_have_four_digits() {
        for _ in 0..200 {
            let c = new_code();
            assert!(
                c.len() == 4 && c.chars().all(|ch| ch.is_ascii_digit()),
                "{c}"
            );
            assert!(!c.starts_with('0'));
        }
    }
}
