import Foundation
import MFAStore

extension FeedTable {
    /// RFC 4180 with CRLF; text cells neutralised against formula injection, numbers
    /// written by the tool left as numbers; empty for no value.
    public func writeCSV(to output: inout AtomicFile.Output) throws(AtomicFile.Failure) {
        try output.append(CSVText.record(columns.map { CSVText.text($0.name) }))
        for row in rows {
            for (index, (cell, column)) in zip(row, columns).enumerated() {
                if index > 0 { try output.append(",") }
                switch cell {
                case .text(let value): try output.append(CSVText.text(value))
                case .null: break
                default: try output.append(text(cell, column) ?? "")
                }
            }
            try output.append("\r\n")
        }
    }

    /// One document: the schema version, the moment and period described, the filters,
    /// and the rows as objects in column order.
    public func writeJSON(scope: ReportScope, to output: inout AtomicFile.Output) throws(AtomicFile.Failure) {
        try output.append("{\n")
        try output.append("  \"schema_version\": \(FeedTable.schemaVersion),\n")
        try output.append("  \"feed\": \(JSON.quote(feed.rawValue)),\n")
        try output.append("  \"as_of\": \(JSON.quote(Timestamp.isoDateTime(scope.asOf))),\n")
        try output.append("  \"period\": {\"since\": \(JSON.quote(Timestamp.isoDateTime(scope.since))), \"until\": \(JSON.quote(Timestamp.isoDateTime(scope.asOf)))},\n")
        try output.append("  \"filters\": {\"organisation\": \(scope.organisation.map(JSON.quote) ?? "null"), \"environment\": \(scope.environment.map { JSON.quote($0.displayName) } ?? "null"), \"pending_days\": \(scope.pendingDays)},\n")
        try output.append("  \"rows\": [")
        let keys = columns.map { JSON.quote($0.name) + ": " }
        for (rowIndex, row) in rows.enumerated() {
            try output.append(rowIndex == 0 ? "\n    {" : ",\n    {")
            for (index, (cell, column)) in zip(row, columns).enumerated() {
                if index > 0 { try output.append(", ") }
                try output.append(keys[index])
                switch cell {
                case .text(let text): try output.append(JSON.quote(text))
                case .integer, .decimal: try output.append(text(cell, column) ?? "null")
                case .time: try output.append(JSON.quote(text(cell, column) ?? ""))
                case .null: try output.append("null")
                }
            }
            try output.append("}")
        }
        try output.append(rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
    }

    /// Bumped when a feed's columns change; the JSON Schemas in `Reports/schemas/` match it.
    public static let schemaVersion = 1
}
