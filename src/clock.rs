//! Time source. Injected so that tests (and the pseudo-terminal flows) can move the clock.

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock, unless `CTV_NOW` (RFC 3339) pins it — used by end-to-end tests only.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // A shared run ignores it (`crate::env`): times written there come from the system.
        crate::env::var("CTV_NOW")
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(Utc::now)
    }
}

/// A clock that stays where it is put.
#[derive(Debug, Clone)]
pub struct FixedClock(pub std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(at)))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut g) = self.0.lock() {
            *g = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|g| *g).unwrap_or_else(|_| Utc::now())
    }
}

/// Vietnam's time zone (UTC+7, no daylight saving): "today" is the collaborator's today.
pub fn vn_offset() -> chrono::FixedOffset {
    // ±7 h is always a valid offset; UTC is only the type-level fallback.
    chrono::FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| chrono::Offset::fix(&Utc))
}
