import Foundation
import MFAStore

/// One feed's rows, typed so every writer formats them the same way.
public struct FeedTable: Sendable {
    public enum Kind: Sendable { case text, integer, decimal, date, dateTime }

    public struct Column: Sendable {
        public var name: String
        public var kind: Kind
        public init(_ name: String, _ kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    public enum Cell: Sendable, Equatable {
        case text(String)
        case integer(Int)
        /// Rounded to one decimal place when written.
        case decimal(Double)
        /// Unix seconds, written as a date or date-time as the column says.
        case time(Int64)
        case null
    }

    public var feed: Feed
    public var columns: [Column]
    public var rows: [[Cell]] = []

    public init(feed: Feed, columns: [Column]) {
        self.feed = feed
        self.columns = columns
    }

    /// The cell of `row` in the column named `name`.
    func cell(_ row: [Cell], _ name: String) -> Cell {
        guard let index = columns.firstIndex(where: { $0.name == name }), index < row.count else { return .null }
        return row[index]
    }

    /// Numbers are rounded once, here, so CSV, JSON and HTML agree to the digit.
    static func decimalText(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        let whole = Int(rounded.rounded(.towardZero))
        let tenths = Int((abs(rounded - Double(whole)) * 10).rounded())
        return (rounded < 0 && whole == 0 ? "-" : "") + "\(whole).\(tenths)"
    }

    func text(_ cell: Cell, _ column: Column) -> String? {
        switch cell {
        case .text(let value): value
        case .integer(let value): String(value)
        case .decimal(let value): Self.decimalText(value)
        case .time(let value): column.kind == .date ? Timestamp.isoDate(value) : Timestamp.isoDateTime(value)
        case .null: nil
        }
    }
}

/// The feeds `mfa-report` writes.
public enum Feed: String, CaseIterable, Sendable, Codable {
    case adoption
    case adoptionByRole = "adoption-by-role"
    case recoveryCodes = "recovery-codes"
    case usage
    case history
    case pendingTooLong = "pending-too-long"
    case noRecoveryCodesLeft = "no-recovery-codes-left"

    /// What a person reading the feed's name should understand by it.
    public var title: String {
        switch self {
        case .adoption: "MFA adoption by organisation and environment"
        case .adoptionByRole: "MFA adoption by organisation, environment and role"
        case .recoveryCodes: "Recovery codes by organisation and environment"
        case .usage: "Sign-ins by day, organisation, environment and app"
        case .history: "Adoption at the end of each day"
        case .pendingTooLong: "Action list: enrolments pending too long (who to chase)"
        case .noRecoveryCodesLeft: "Action list: logins with no recovery codes left (who needs a reset)"
        }
    }
}
