import Foundation
import MFAStore

extension FeedTable {
    /// RFC 4180 with CRLF; text cells neutralised against formula injection, numbers
    /// written by the tool left as numbers; empty for no value.
    public func csv() -> Data {
        var output = OutputBuffer()
        output.append(CSVText.record(columns.map { CSVText.text($0.name) }))
        for row in rows {
            for (index, (cell, column)) in zip(row, columns).enumerated() {
                if index > 0 { output.append(",") }
                switch cell {
                case .text(let value): output.append(CSVText.text(value))
                case .null: break
                default: output.append(text(cell, column) ?? "")
                }
            }
            output.append("\r\n")
        }
        return output.data
    }

    /// One document: the schema version, the moment and period described, the filters,
    /// and the rows as objects in column order.
    public func json(scope: ReportScope) -> Data {
        var output = OutputBuffer()
        output.append("{\n")
        output.append("  \"schema_version\": \(FeedTable.schemaVersion),\n")
        output.append("  \"feed\": \(JSON.quote(feed.rawValue)),\n")
        output.append("  \"as_of\": \(JSON.quote(Timestamp.isoDateTime(scope.asOf))),\n")
        output.append("  \"period\": {\"since\": \(JSON.quote(Timestamp.isoDateTime(scope.since))), \"until\": \(JSON.quote(Timestamp.isoDateTime(scope.asOf)))},\n")
        output.append("  \"filters\": {\"organisation\": \(scope.organisation.map(JSON.quote) ?? "null"), \"environment\": \(scope.environment.map { JSON.quote($0.displayName) } ?? "null"), \"pending_days\": \(scope.pendingDays)},\n")
        output.append("  \"rows\": [")
        let keys = columns.map { JSON.quote($0.name) + ": " }
        for (rowIndex, row) in rows.enumerated() {
            output.append(rowIndex == 0 ? "\n    {" : ",\n    {")
            for (index, (cell, column)) in zip(row, columns).enumerated() {
                if index > 0 { output.append(", ") }
                output.append(keys[index])
                switch cell {
                case .text(let text): output.append(JSON.quote(text))
                case .integer, .decimal: output.append(text(cell, column) ?? "null")
                case .time: output.append(JSON.quote(text(cell, column) ?? ""))
                case .null: output.append("null")
                }
            }
            output.append("}")
        }
        output.append(rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        return output.data
    }

    /// Bumped when a feed's columns change; the JSON Schemas in `Reports/schemas/` match it.
    public static let schemaVersion = 1
}

/// UTF-8 bytes appended in place: a feed can have hundreds of thousands of rows.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 20) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    var data: Data { Data(bytes) }
}
