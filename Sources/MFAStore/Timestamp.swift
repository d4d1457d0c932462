import Foundation

/// UTC calendar arithmetic on Unix seconds, without Foundation's locale-dependent formatters.
public enum Timestamp {
    public static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// (year, month, day) of a day number (civil_from_days).
    public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day number containing `unixTime`.
    public static func day(of unixTime: Int64) -> Int64 {
        unixTime >= 0 ? unixTime / secondsPerDay : (unixTime - secondsPerDay + 1) / secondsPerDay
    }

    /// `2026-11-29`
    public static func isoDate(_ unixTime: Int64) -> String {
        isoDate(day: day(of: unixTime))
    }

    public static func isoDate(day: Int64) -> String {
        let (year, month, dayOfMonth) = civil(days: day)
        return "\(year)-\(twoDigits(month))-\(twoDigits(dayOfMonth))"
    }

    /// `2026-11-29T09:23:20Z`
    public static func isoDateTime(_ unixTime: Int64) -> String {
        let seconds = unixTime - day(of: unixTime) * secondsPerDay
        return isoDate(unixTime) + "T\(twoDigits(seconds / 3600)):\(twoDigits(seconds / 60 % 60)):\(twoDigits(seconds % 60))Z"
    }

    /// Parses `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM[:SS]` with `Z` or a
    /// `±HH:MM` offset, or nothing else.
    public static func parse(_ text: String) -> Int64? {
        let scalars = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= scalars.count else { return nil }
            var value: Int64 = 0
            for byte in scalars[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard scalars.count >= 10, scalars[4] == UInt8(ascii: "-"), scalars[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        var time = days(year: year, month: month, day: day) * secondsPerDay
        if scalars.count == 10 { return time }
        guard scalars[10] == UInt8(ascii: "T") || scalars[10] == UInt8(ascii: " "),
            let hour = number(11..<13), hour < 24, scalars.count > 15, scalars[13] == UInt8(ascii: ":"),
            let minute = number(14..<16), minute < 60
        else { return nil }
        time += hour * 3600 + minute * 60
        var index = 16
        if index < scalars.count, scalars[index] == UInt8(ascii: ":") {
            guard let second = number(17..<19), second < 60 else { return nil }
            time += second
            index = 19
        }
        if index == scalars.count { return time }
        if scalars[index] == UInt8(ascii: "Z") { return index + 1 == scalars.count ? time : nil }
        guard scalars.count == index + 6, scalars[index] == UInt8(ascii: "+") || scalars[index] == UInt8(ascii: "-"),
            let offsetHours = number(index + 1..<index + 3), scalars[index + 3] == UInt8(ascii: ":"),
            let offsetMinutes = number(index + 4..<index + 6)
        else { return nil }
        let offset = offsetHours * 3600 + offsetMinutes * 60
        return scalars[index] == UInt8(ascii: "+") ? time - offset : time + offset
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
