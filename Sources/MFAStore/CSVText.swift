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

    public static func number(_ value: Double, decimals: Int) -> String {
        let scale = pow10(decimals)
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            if fraction.count < decimals { text += String(repeating: "0", count: decimals - fraction.count) }
        } else if decimals > 0 {
            text += "." + String(repeating: "0", count: decimals)
        }
        return text
    }

    public static func record(_ fields: [String]) -> String { fields.joined(separator: ",") + "\r\n" }

    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func pow10(_ exponent: Int) -> Double { (0..<exponent).reduce(1.0) { value, _ in value * 10 } }
}
