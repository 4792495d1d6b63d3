//! SPIRAL times are kept as wikispiral gives them: the local time of the platforms, without an
//! offset. The platforms this serves are in Luxembourg and its neighbours of the same zone
//! (Blégny, Brussels), so the local time is `Europe/Luxembourg`'s. In JSON a time is RFC 3339
//! with that zone's offset at that moment (`2018-10-31T13:22:00+01:00`), so that it compares
//! with practices' UTC times; reading, a time with any offset is converted to the zone, and one
//! without an offset (older exports) is read as local.
//!
//! `#[serde(default, with = "crate::local_time")]` on an `Option<NaiveDateTime>`.

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, TimeDelta, TimeZone};
use chrono_tz::Europe::Luxembourg;
use serde::{Deserialize, Deserializer, Serializer};

/// A local time with its offset. A time the autumn change repeats is the first of the two; one
/// the spring change skips (02:30 on its day) is read an hour later, as clocks then showed.
pub fn with_offset(t: NaiveDateTime) -> DateTime<FixedOffset> {
    let zoned = Luxembourg.from_local_datetime(&t).earliest().or_else(|| {
        Luxembourg
            .from_local_datetime(&(t + TimeDelta::hours(1)))
            .earliest()
    });
    match zoned {
        Some(z) => z.fixed_offset(),
        // Unreachable for this zone; said as UTC rather than invented.
        None => t.and_utc().fixed_offset(),
    }
}

/// Reads RFC 3339 with any offset (converted to local time), or an ISO date-time without one
/// (already local).
pub fn parse(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Luxembourg).naive_local())
        .ok()
        .or_else(|| raw.parse::<NaiveDateTime>().ok())
        .or_else(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f").ok())
}

#[allow(clippy::ref_option)] // the signature serde's `with` calls
pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&with_offset(*t).to_rfc3339_opts(SecondsFormat::AutoSi, false)),
        None => s.serialize_none(),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    let Some(raw) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    parse(&raw).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{raw}` is not a time: expected RFC 3339 (2018-10-31T13:22:00+01:00)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct T {
        #[serde(default, with = "crate::local_time")]
        at: Option<NaiveDateTime>,
    }

    fn json(t: &T) -> String {
        serde_json::to_string(t).unwrap()
    }

    #[test]
    fn times_carry_the_offset_of_their_season_and_read_every_offset() {
        let winter: T = serde_json::from_str(r#"{"at": "2018-10-31T13:22:00"}"#).unwrap();
        assert_eq!(json(&winter), r#"{"at":"2018-10-31T13:22:00+01:00"}"#);
        let summer: T = serde_json::from_str(r#"{"at": "2018-07-01T09:00:00"}"#).unwrap();
        assert_eq!(json(&summer), r#"{"at":"2018-07-01T09:00:00+02:00"}"#);
        // The same instant in UTC reads as the same local time.
        let utc: T = serde_json::from_str(r#"{"at": "2018-10-31T12:22:00Z"}"#).unwrap();
        assert_eq!(utc, winter);
        // What it writes, it reads back.
        let back: T = serde_json::from_str(&json(&summer)).unwrap();
        assert_eq!(back, summer);
        let none: T = serde_json::from_str("{}").unwrap();
        assert_eq!(json(&none), r#"{"at":null}"#);
        let e = serde_json::from_str::<T>(r#"{"at": "yesterday"}"#).unwrap_err();
        assert!(e.to_string().contains("yesterday"), "{e}");
    }

    #[test]
    fn times_the_clock_change_repeats_or_skips_still_have_one_offset() {
        let repeated = "2018-10-28T02:30:00".parse().unwrap();
        assert_eq!(
            with_offset(repeated).to_rfc3339(),
            "2018-10-28T02:30:00+02:00"
        );
        let skipped = "2018-03-25T02:30:00".parse().unwrap();
        assert_eq!(with_offset(skipped).offset().local_minus_utc(), 7200);
    }
}
