//! The sandbox's clock: real time plus an offset that tests and people can advance, so expiry,
//! cooldowns and rate-limit windows are exercised without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Default)]
pub struct Clock {
    /// Milliseconds added to the system time.
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves time forward (never backward: expiry must stay monotonic).
    pub fn advance(&self, by: Duration) {
        let ms = by.whole_milliseconds().clamp(0, i64::MAX as i128) as i64;
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

/// Okta's timestamp format: ISO-8601 UTC with milliseconds, e.g. `2015-11-13T07:34:22.000Z`.
pub fn okta_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_and_reset_returns() {
        let c = Clock::default();
        let before = c.now();
        c.advance(Duration::minutes(11));
        assert!(c.now() - before >= Duration::minutes(11));
        c.advance(Duration::seconds(-100));
        assert!(c.offset() >= Duration::minutes(11), "never backwards");
        c.reset();
        assert!(c.now() - before < Duration::minutes(1));
    }

    #[test]
    fn timestamps_look_like_oktas() {
        let t = time::macros::datetime!(2015-11-13 07:34:22.5 UTC);
        assert_eq!(okta_time(t), "2015-11-13T07:34:22.500Z");
    }
}
