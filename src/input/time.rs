//! Timestamps: parsing ISO-8601 text and epoch milliseconds into UTC milliseconds, and the
//! calendar arithmetic (days, ISO weeks, months) the activity views need.
//!
//! Written by hand rather than with `chrono`/`time`/`jiff`: rapport needs only a strict subset
//! of ISO-8601 and proleptic-Gregorian day arithmetic, and those crates add tens of kilobytes
//! to a `.wasm` that must stay small for the edge.

use super::event::TimestampInput;
use crate::error::{ErrorCode, RapportError, Result};
use crate::text::truncate;

pub const MS_PER_DAY: i64 = 86_400_000;
/// Earliest accepted instant: 1900-01-01T00:00:00Z.
pub const MIN_MS: i64 = -2_208_988_800_000;
/// Latest accepted instant: 2200-12-31T23:59:59.999Z.
pub const MAX_MS: i64 = 7_289_567_999_999;

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// The UTC day number (days since 1970-01-01) of an instant.
pub fn day_of(ms: i64) -> i32 {
    ms.div_euclid(MS_PER_DAY) as i32
}

/// Monday-based week number: the day number of the Monday starting the ISO week of `day`.
pub fn week_start(day: i32) -> i32 {
    // 1970-01-01 was a Thursday, so Monday is day -3 modulo 7.
    day - (day + 3).rem_euclid(7)
}

/// Month index (year * 12 + month - 1) of a day number.
pub fn month_index(day: i32) -> i32 {
    let (y, m, _) = civil_from_days(day as i64);
    (y * 12 + m as i64 - 1) as i32
}

/// First day number of a month index.
pub fn month_start(month: i32) -> i32 {
    let y = month.div_euclid(12) as i64;
    let m = month.rem_euclid(12) as u32 + 1;
    days_from_civil(y, m, 1) as i32
}

/// `YYYY-MM-DD` of a day number. Digits are written directly: reports format two dates per
/// client, and the general formatter costs several times more.
pub fn format_day(day: i32) -> String {
    let (y, m, d) = civil_from_days(day as i64);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let y = y as u32;
    let digit = |v: u32| (b'0' + v as u8) as char;
    let mut s = String::with_capacity(10);
    for v in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
        s.push(digit(v));
    }
    s.push('-');
    s.push(digit(m / 10));
    s.push(digit(m % 10));
    s.push('-');
    s.push(digit(d / 10));
    s.push(digit(d % 10));
    s
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of an instant.
pub fn format_ms(ms: i64) -> String {
    let day = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!(
        "{}T{h:02}:{mi:02}:{s:02}.{milli:03}Z",
        format_day(day as i32)
    )
}

fn range_checked(ms: i64, shown: &str) -> Result<i64> {
    if (MIN_MS..=MAX_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(RapportError::new(
            ErrorCode::TimestampOutOfRange,
            format!("{shown} is outside the supported range 1900-01-01 to 2200-12-31"),
        ))
    }
}

/// Epoch milliseconds given as a number. Fractions of a millisecond are dropped.
pub fn from_epoch_ms(v: f64) -> Result<i64> {
    if !v.is_finite() {
        return Err(RapportError::new(
            ErrorCode::InvalidTimestamp,
            format!("timestamp {v} is not a finite number of epoch milliseconds"),
        ));
    }
    if v < MIN_MS as f64 || v > MAX_MS as f64 {
        return range_checked(if v < 0.0 { i64::MIN } else { i64::MAX }, &format!("{v}"));
    }
    Ok(v.floor() as i64)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0i64;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as i64;
        }
        self.i += n;
        Some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    /// `YYYY-MM-DD`.
    fn date(&mut self) -> Option<(i64, i64, i64)> {
        let y = self.digits(4)?;
        self.eat(b'-').then_some(())?;
        let m = self.digits(2)?;
        self.eat(b'-').then_some(())?;
        Some((y, m, self.digits(2)?))
    }

    /// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` (any number of fraction digits, `.` or `,`), as
    /// hours, minutes, seconds and milliseconds.
    fn time(&mut self) -> Option<[i64; 4]> {
        let hh = self.digits(2)?;
        self.eat(b':').then_some(())?;
        let mm = self.digits(2)?;
        let (mut ss, mut frac_ms) = (0, 0);
        if self.eat(b':') {
            ss = self.digits(2)?;
            if self.eat(b'.') || self.eat(b',') {
                let start = self.i;
                let mut scale = 100;
                while let Some(ch) = self.peek().filter(u8::is_ascii_digit) {
                    frac_ms += (ch - b'0') as i64 * scale;
                    scale /= 10;
                    self.i += 1;
                }
                (self.i > start).then_some(())?;
            }
        }
        Some([hh, mm, ss, frac_ms])
    }

    /// Nothing (UTC), `Z`, or `±HH:MM`, `±HHMM`, `±HH`, as minutes east of UTC.
    fn offset(&mut self) -> Option<i64> {
        match self.peek() {
            None => Some(0),
            Some(b'Z') | Some(b'z') => {
                self.i += 1;
                Some(0)
            }
            Some(sign @ (b'+' | b'-')) => {
                self.i += 1;
                let oh = self.digits(2)?;
                self.eat(b':');
                let om = if self.done() { 0 } else { self.digits(2)? };
                if oh > 23 || om > 59 {
                    return None;
                }
                Some((oh * 60 + om) * if sign == b'-' { -1 } else { 1 })
            }
            Some(_) => None,
        }
    }
}

/// The error for text that is not a timestamp.
fn not_a_timestamp(t: &str) -> RapportError {
    RapportError::new(
        ErrorCode::InvalidTimestamp,
        format!(
            "cannot read {:?} as a timestamp (expected ISO-8601 like 2024-06-30 or 2024-06-30T12:00:00Z, or epoch milliseconds)",
            truncate(t, 40)
        ),
    )
}

/// Parses a timestamp written as text. Accepted forms:
/// - `YYYY-MM-DD` (midnight UTC) and the basic form `YYYYMMDD`;
/// - `YYYY-MM-DDTHH:MM`, `…:SS`, `…:SS.fff` (any number of fraction digits, `T` or a space),
///   with no offset (taken as UTC), `Z`, or an offset `±HH:MM`, `±HHMM` or `±HH`;
/// - an integer of epoch milliseconds (any other run of digits, optionally signed).
pub fn parse_timestamp(text: &str) -> Result<i64> {
    let t = text.trim();
    if t.is_empty() {
        return Err(RapportError::new(
            ErrorCode::MissingField,
            "timestamp is empty",
        ));
    }
    let b = t.as_bytes();
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if b.len() == 8 && all_digits(b) {
        let mut c = Cursor { b, i: 0 };
        let (y, m, d) = (c.digits(4), c.digits(2), c.digits(2));
        let (y, m, d) = (y.unwrap_or(0), m.unwrap_or(0), d.unwrap_or(0));
        return civil_ms(y, m, d, [0; 4], t);
    }
    let unsigned = if b[0] == b'-' || b[0] == b'+' {
        &b[1..]
    } else {
        b
    };
    if all_digits(unsigned) {
        if unsigned.len() > 15 {
            return range_checked(i64::MAX, t);
        }
        let v: i64 = t.parse().map_err(|_| not_a_timestamp(t))?;
        return range_checked(v, t);
    }
    if let Some(ms) = common_iso(b) {
        return range_checked(ms, t);
    }
    let (ymd, clock, offset_min) = iso_parts(b).ok_or_else(|| not_a_timestamp(t))?;
    let local = civil_ms(ymd.0, ymd.1, ymd.2, clock, t)?;
    range_checked(local - offset_min * 60_000, t)
}

/// Epoch ms of the most common shape, `YYYY-MM-DDTHH:MM:SS` with `.fff` (exactly three digits)
/// or not, and `Z` or not, read at fixed places; `None` for anything else, which the general
/// reader takes (and reads these the same).
fn common_iso(b: &[u8]) -> Option<i64> {
    let tail = match b.len() {
        19 => &[][..],
        20 | 23 | 24 => &b[19..],
        _ => return None,
    };
    let frac = match tail {
        [] | [b'Z'] => 0,
        [b'.', d @ ..] if d.len() == 3 || (d.len() == 4 && d[3] == b'Z') => num(&d[..3])?,
        _ => return None,
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let (hh, mm, ss) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    civil(y, m, d, [hh, mm, ss, frac])
}

/// The number written by ASCII digits.
fn num(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + (c - b'0') as i64)
    })
}

/// The date, the time of day and the offset of an ISO-8601 date or date-time.
#[allow(clippy::type_complexity)]
fn iso_parts(b: &[u8]) -> Option<((i64, i64, i64), [i64; 4], i64)> {
    let mut c = Cursor { b, i: 0 };
    let ymd = c.date()?;
    if c.done() {
        return Some((ymd, [0; 4], 0));
    }
    (c.eat(b'T') || c.eat(b't') || c.eat(b' ')).then_some(())?;
    let clock = c.time()?;
    let offset = c.offset()?;
    c.done().then_some((ymd, clock, offset))
}

/// Epoch ms of a civil date and time of day (`[hours, minutes, seconds, ms]`), or `None` when
/// it is no such day or time.
fn civil(y: i64, m: i64, d: i64, [hh, mm, ss, ms]: [i64; 4]) -> Option<i64> {
    if !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month(y, m as u32) as i64
        || hh > 23
        || mm > 59
        || ss > 60
    {
        return None;
    }
    let days = days_from_civil(y, m as u32, d as u32);
    // A leap second (ss = 60) is folded into the next second.
    Some(days * MS_PER_DAY + hh * 3_600_000 + mm * 60_000 + ss * 1000 + ms)
}

/// [`civil`], checked: a bad date or a time out of range is an error showing `shown`.
fn civil_ms(y: i64, m: i64, d: i64, clock: [i64; 4], shown: &str) -> Result<i64> {
    let v = civil(y, m, d, clock).ok_or_else(|| not_a_timestamp(shown))?;
    range_checked(v, shown)
}

/// Reads an optional date option (ISO-8601 text or epoch ms) as epoch ms; a bad one is an
/// `INVALID_CONFIG` error naming `key`.
pub fn date_option(v: &Option<TimestampInput>, key: &str) -> Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(TimestampInput::Text(s)) => parse_timestamp(s).map(Some),
        Some(TimestampInput::EpochMs(ms)) => from_epoch_ms(*ms).map(Some),
    }
    .map_err(|e| {
        RapportError {
            code: ErrorCode::InvalidConfig,
            ..e
        }
        .with_field(key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for z in (-30_000..120_000).step_by(7) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn parses_iso_forms_and_offsets() {
        let base = parse_timestamp("2024-06-30").unwrap();
        assert_eq!(base, 1_719_705_600_000);
        assert_eq!(parse_timestamp("20240630").unwrap(), base);
        assert_eq!(parse_timestamp("2024-06-30T00:00:00Z").unwrap(), base);
        assert_eq!(parse_timestamp("2024-06-30 02:00:00+02:00").unwrap(), base);
        assert_eq!(parse_timestamp("2024-06-29T19:30-0430").unwrap(), base);
        assert_eq!(
            parse_timestamp("2024-06-30T00:00:00.250Z").unwrap(),
            base + 250
        );
        assert_eq!(
            parse_timestamp("2024-06-30T00:00:00.123456Z").unwrap(),
            base + 123
        );
        assert_eq!(parse_timestamp("1719705600000").unwrap(), base);
        assert_eq!(
            parse_timestamp("2024-06-30T05:00").unwrap(),
            base + 5 * 3_600_000
        );
    }

    #[test]
    fn the_common_shape_reads_as_the_general_reader_reads_it() {
        let general = |t: &str| -> Result<i64> {
            let (ymd, clock, offset) = iso_parts(t.as_bytes()).ok_or_else(|| not_a_timestamp(t))?;
            let local = civil_ms(ymd.0, ymd.1, ymd.2, clock, t)?;
            range_checked(local - offset * 60_000, t)
        };
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let pick = b"0123456789-T:.Z+ x";
        let mut fast = 0;
        for _ in 0..300_000 {
            let base = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                1890 + next(320),
                next(14),
                next(33),
                next(26),
                next(62),
                next(62)
            );
            let mut t = base.into_bytes();
            match next(4) {
                0 => t.extend(format!(".{:03}", next(1000)).bytes()),
                1 => t.extend(format!(".{:03}Z", next(1000)).bytes()),
                2 => t.push(b'Z'),
                _ => {}
            }
            if next(3) == 0 {
                let i = next(t.len() as u64) as usize;
                t[i] = pick[next(pick.len() as u64) as usize];
            }
            let t = String::from_utf8(t).unwrap();
            if let Some(ms) = common_iso(t.as_bytes()) {
                fast += 1;
                assert_eq!(general(&t).ok(), range_checked(ms, &t).ok(), "{t}");
                assert_eq!(parse_timestamp(&t).ok(), general(&t).ok(), "{t}");
            }
        }
        assert!(fast > 50_000, "the common shape was read {fast} times");
    }

    #[test]
    fn rejects_bad_and_out_of_range() {
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "2023-02-29",
            "yesterday",
            "2024-06-30T25:00",
            "2024-06-30X",
            "2024-06-30T12:00+25:00",
            "2024/06/30",
        ] {
            assert_eq!(
                parse_timestamp(bad).unwrap_err().code,
                ErrorCode::InvalidTimestamp,
                "{bad}"
            );
        }
        assert_eq!(
            parse_timestamp("2024-02-29").unwrap(),
            days_from_civil(2024, 2, 29) * MS_PER_DAY
        );
        assert_eq!(
            parse_timestamp("1800-01-01").unwrap_err().code,
            ErrorCode::TimestampOutOfRange
        );
        assert_eq!(
            parse_timestamp("99999999999999999999").unwrap_err().code,
            ErrorCode::TimestampOutOfRange
        );
        assert_eq!(
            from_epoch_ms(f64::NAN).unwrap_err().code,
            ErrorCode::InvalidTimestamp
        );
        assert_eq!(
            from_epoch_ms(1e300).unwrap_err().code,
            ErrorCode::TimestampOutOfRange
        );
        assert_eq!(
            parse_timestamp("  ").unwrap_err().code,
            ErrorCode::MissingField
        );
    }

    #[test]
    fn weeks_start_on_monday_and_months_round_trip() {
        let mon = days_from_civil(2024, 6, 24) as i32;
        for d in mon..mon + 7 {
            assert_eq!(week_start(d), mon);
        }
        assert_eq!(week_start(mon - 1), mon - 7);
        let d = days_from_civil(2024, 2, 29) as i32;
        assert_eq!(
            month_start(month_index(d)),
            days_from_civil(2024, 2, 1) as i32
        );
        assert_eq!(
            format_ms(parse_timestamp("2024-06-30T12:34:56.789Z").unwrap()),
            "2024-06-30T12:34:56.789Z"
        );
    }
}
