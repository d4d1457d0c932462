import Foundation
import MFAStore

extension FeedTable {
    /// RFC 4180 with CRLF; text cells neutralised against formula injection, numbers
    /// written by the tool left as numbers; empty for no value.
    public func csv() -> String {
        var output = CSVText.record(columns.map { CSVText.text($0.name) })
        for row in rows {
            output += CSVText.record(zip(row, columns).map { cell, column in
                switch cell {
                case .text(let value): CSVText.text(value)
                case .null: ""
                default: text(cell, column) ?? ""
                }
            })
        }
        return output
    }

    /// One document: the schema version, the moment and period described, the filters,
    /// and the rows as objects in column order.
    public func json(scope: ReportScope) -> String {
        var output = "{\n"
        output += "  \"schema_version\": \(FeedTable.schemaVersion),\n"
        output += "  \"feed\": \(JSON.quote(feed.rawValue)),\n"
        output += "  \"as_of\": \(JSON.quote(Timestamp.isoDateTime(scope.asOf))),\n"
        output += "  \"period\": {\"since\": \(JSON.quote(Timestamp.isoDateTime(scope.since))), \"until\": \(JSON.quote(Timestamp.isoDateTime(scope.asOf)))},\n"
        output += "  \"filters\": {\"organisation\": \(scope.organisation.map(JSON.quote) ?? "null"), \"environment\": \(scope.environment.map { JSON.quote($0.displayName) } ?? "null"), \"pending_days\": \(scope.pendingDays)},\n"
        output += "  \"rows\": ["
        for (index, row) in rows.enumerated() {
            output += index == 0 ? "\n    {" : ",\n    {"
            output += zip(row, columns).map { cell, column in
                let value: String
                switch cell {
                case .text(let text): value = JSON.quote(text)
                case .integer, .decimal: value = text(cell, column) ?? "null"
                case .time: value = JSON.quote(text(cell, column) ?? "")
                case .null: value = "null"
                }
                return "\(JSON.quote(column.name)): \(value)"
            }.joined(separator: ", ")
            output += "}"
        }
        output += rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return output
    }

    /// Bumped when a feed's columns change; the JSON Schemas in `Reports/schemas/` match it.
    public static let schemaVersion = 1
}
