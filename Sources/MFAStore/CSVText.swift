import Foundation

/// RFC 4180 output: fields quoted when they hold `,` `"` CR or LF, quotes doubled,
/// records ended by CRLF.
public enum CSVText {
    /// A text cell, neutralised against formula injection (OWASP): a cell beginning
    /// with `=`, `+`, `-`, `@`, tab, CR, LF or NUL gets a leading `'`, so spreadsheet
    /// programs show it as text instead of evaluating it.
    public static func text(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r\n\0".unicodeScalars.contains(first) {
            value = "'" + value
        }
        return quoted(value)
    }

    /// A number the tool wrote itself: never neutralised, so it stays a number.
    public static func number(_ value: some BinaryInteger) -> String { String(value) }

    public static func record(_ fields: [String]) -> String { fields.joined(separator: ",") + "\r\n" }

    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
