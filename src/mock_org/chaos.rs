//! Which data API call fails, and how: the failures set for the next calls (`fail_next`, after
//! `after` calls that pass), and the probabilistic fault (`fail_rate` with a `seed`) that fails
//! that share of data API calls with a mix of what real orgs do now and then: 503 with
//! `Retry-After`, 500 `UNKNOWN_EXCEPTION` and `UNABLE_TO_LOCK_ROW`, an HTML 502 or 504 page, 429,
//! the concurrent-request `REQUEST_LIMIT_EXCEEDED`, a connection reset mid-body, a connection
//! closed without an answer. None of them runs the request.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::MockOrg;
use super::admin::FaultKind;
use super::state::{Fault, Inner};

/// The probabilistic fault: each data API call fails with chance `rate`.
pub(crate) struct Chaos {
    pub rate: f64,
    pub seed: u64,
    rng: StdRng,
    /// Calls failed so far.
    pub failed: u64,
}

impl Chaos {
    pub(crate) fn new(rate: f64, seed: u64) -> Chaos {
        Chaos {
            rate: rate.clamp(0.0, 1.0),
            seed,
            rng: StdRng::seed_from_u64(seed),
            failed: 0,
        }
    }

    /// The fault of the next call, if it is one of the unlucky ones.
    fn draw(&mut self) -> Option<Fault> {
        if !self.rng.random_bool(self.rate) {
            return None;
        }
        self.failed += 1;
        let (status, kind, code) = match self.rng.random_range(0..9u8) {
            0 => (503, FaultKind::Error, None),
            1 => (500, FaultKind::Error, Some("UNKNOWN_EXCEPTION")),
            2 => (500, FaultKind::Error, Some("UNABLE_TO_LOCK_ROW")),
            3 => (502, FaultKind::Html, None),
            4 => (504, FaultKind::Html, None),
            5 => (429, FaultKind::Error, Some("REQUEST_LIMIT_EXCEEDED")),
            6 => (403, FaultKind::Error, None),
            7 => (200, FaultKind::ResetMidBody, None),
            _ => (200, FaultKind::Drop, None),
        };
        Some(Fault {
            remaining: 1,
            status,
            error_code: code.map(str::to_owned),
            kind,
            ..Fault::default()
        })
    }
}

impl Inner {
    /// The fault the data API call being answered gets, if any: the next of `fail_next` once
    /// its `after` calls have passed, else a draw of the probabilistic fault.
    pub(crate) fn take_fault(&mut self) -> Option<Fault> {
        if self.fault.remaining > 0 {
            if self.fault.after > 0 {
                self.fault.after -= 1;
            } else {
                self.fault.remaining -= 1;
                return Some(self.fault.clone());
            }
        }
        self.chaos.as_mut().and_then(Chaos::draw)
    }
}

impl MockOrg {
    /// Lets `after` data API calls pass, then makes the next `count` answer `status` with a body
    /// of `kind`, as [`MockOrg::fail_next_kind`] does: "the 20th page of a query fails".
    pub fn fail_after(&self, after: usize, count: usize, status: u16, kind: FaultKind) {
        self.shared.lock().fault = Fault {
            remaining: count,
            status,
            after,
            kind,
            ..Fault::default()
        };
    }

    /// Fails the share `rate` (0 to 1) of data API calls with a mix of transient failures,
    /// drawn from `seed` (the same seed fails the same calls of the same sequence); 0 stops it.
    /// Also `POST /__mock/faults {"fail_rate": 0.05, "seed": 7}` and `--fail-rate`.
    pub fn set_fail_rate(&self, rate: f64, seed: u64) {
        self.shared.lock().chaos = (rate > 0.0).then(|| Chaos::new(rate, seed));
    }

    /// Data API calls the probabilistic fault has failed so far.
    pub fn calls_failed_at_random(&self) -> u64 {
        self.shared.lock().chaos.as_ref().map_or(0, |c| c.failed)
    }

    /// Live (not deleted) records of `object`: how a test sees what a write did.
    pub fn record_count(&self, object: &str) -> usize {
        let inner = self.shared.lock();
        inner
            .store
            .get(object)
            .map_or(0, |t| t.iter().filter(|r| !r.is_deleted()).count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_fails_the_same_calls_with_a_mix() {
        let run = |seed| {
            let mut chaos = Chaos::new(0.3, seed);
            (0..400)
                .map(|_| chaos.draw().map(|f| (f.status, f.kind, f.error_code)))
                .collect::<Vec<_>>()
        };
        let first = run(7);
        assert_eq!(first, run(7));
        assert_ne!(first, run(8));
        let failed = first.iter().flatten().count();
        assert!((80..=160).contains(&failed), "about 30 % of 400: {failed}");
        let kinds: std::collections::HashSet<String> =
            first.iter().flatten().map(|k| format!("{k:?}")).collect();
        assert_eq!(kinds.len(), 9, "every kind of failure shows up: {kinds:?}");
        assert_eq!(Chaos::new(0.0, 1).draw(), None);
    }
}
