//! SPIRAL times are stored without an offset and are UTC. In JSON they are RFC 3339 with `Z`
//! (`2018-10-31T13:22:00Z`), as practices' times are; reading, a time with any offset is turned
//! into UTC, and one without an offset (older exports) is read as UTC.
//!
//! `#[serde(default, with = "crate::utc")]` on an `Option<NaiveDateTime>`.

use chrono::{DateTime, NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Deserializer, Serializer};

#[allow(clippy::ref_option)] // the signature serde's `with` calls
pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        None => s.serialize_none(),
    }
}

/// Reads RFC 3339 with any offset, or an ISO date-time without one (as UTC).
pub fn parse(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.naive_utc())
        .ok()
        .or_else(|| raw.parse::<NaiveDateTime>().ok())
        .or_else(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f").ok())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    let Some(raw) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    parse(&raw).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{raw}` is not a time: expected RFC 3339 (2018-10-31T13:22:00Z)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct T {
        #[serde(default, with = "crate::utc")]
        at: Option<NaiveDateTime>,
    }

    #[test]
    fn times_carry_z_and_read_every_offset() {
        let t: T = serde_json::from_str(r#"{"at": "2018-10-31T13:22:00"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"at":"2018-10-31T13:22:00Z"}"#
        );
        let shifted: T = serde_json::from_str(r#"{"at": "2018-10-31T14:22:00+01:00"}"#).unwrap();
        assert_eq!(shifted, t);
        let none: T = serde_json::from_str("{}").unwrap();
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"at":null}"#);
        let e = serde_json::from_str::<T>(r#"{"at": "yesterday"}"#).unwrap_err();
        assert!(e.to_string().contains("yesterday"), "{e}");
    }
}
