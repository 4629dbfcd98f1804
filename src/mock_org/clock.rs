//! The org's clock: real time plus an offset that tests move forward
//! (`MockOrg::advance_clock`, `POST /__mock/clock`), so token timeouts, record stamps and
//! relative dates can be tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// "Now" as the org sees it.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// Added to the real time, in milliseconds; grows until [`Clock::reset`].
    offset_ms: AtomicI64,
}

impl Clock {
    /// The org's current time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        jiff::Timestamp::now()
            .as_millisecond()
            .saturating_add(self.offset_ms())
    }

    /// The org's current time.
    pub fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.now_ms()).unwrap_or_else(|_| jiff::Timestamp::now())
    }

    /// How far the clock has been moved ahead of real time, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Back to real time (`POST /__mock/reset`).
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }

    /// Moves the clock forward by `by` (only a reset sends it back).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        // fetch_add would wrap; an absurd advance saturates instead.
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(ms))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_by_that_much() {
        let clock = Clock::default();
        assert_eq!(clock.offset_ms(), 0);
        let before = clock.now_ms();
        clock.advance(Duration::from_secs(3600));
        clock.advance(Duration::from_millis(250));
        assert_eq!(clock.offset_ms(), 3_600_250);
        let after = clock.now_ms();
        // Real time moves too, never backwards.
        assert!(after - before >= 3_600_250, "{before} → {after}");
        assert!(after - before < 3_600_250 + 60_000, "{before} → {after}");
        assert!((clock.now().as_millisecond() - clock.now_ms()).abs() < 60_000);
        clock.advance(Duration::MAX);
        assert_eq!(clock.offset_ms(), i64::MAX);
        assert_eq!(clock.now_ms(), i64::MAX);
        clock.reset();
        assert_eq!(clock.offset_ms(), 0);
        assert!((clock.now_ms() - jiff::Timestamp::now().as_millisecond()).abs() < 60_000);
    }
}
