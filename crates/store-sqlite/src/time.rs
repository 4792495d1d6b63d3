//! Timestamps as stored: fixed-width text with whole seconds, so that they sort as text and
//! read back identical.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use store::{Result, StoreError};

const UTC: &str = "%Y-%m-%dT%H:%M:%SZ";
const LOCAL: &str = "%Y-%m-%dT%H:%M:%S";

pub(crate) fn utc(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(0).format(UTC).to_string()
}

pub(crate) fn local(t: NaiveDateTime) -> String {
    t.trunc_subsecs(0).format(LOCAL).to_string()
}

pub(crate) fn parse_utc(s: &str) -> Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, UTC)
        .map(|t| t.and_utc())
        .map_err(|e| {
            StoreError::Corrupt(format!(
                "timestamp `{s}` ({e}): expected YYYY-MM-DDTHH:MM:SSZ"
            ))
        })
}

pub(crate) fn parse_local(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, LOCAL).map_err(|e| {
        StoreError::Corrupt(format!(
            "timestamp `{s}` ({e}): expected YYYY-MM-DDTHH:MM:SS"
        ))
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn round_trip_with_whole_seconds() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 9, 3, 7).unwrap();
        assert_eq!(utc(t), "2024-05-01T09:03:07Z");
        assert_eq!(parse_utc(&utc(t)).unwrap(), t);
        assert_eq!(
            utc(t + chrono::Duration::milliseconds(999)),
            "2024-05-01T09:03:07Z"
        );
        let n = t.naive_utc();
        assert_eq!(parse_local(&local(n)).unwrap(), n);
        assert!(parse_utc("2024-05-01 09:03").is_err());
    }
}
