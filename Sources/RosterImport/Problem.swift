/// Where a record came from: the file and the line of its first character (CSV) or of
/// its `<user>` element (XML).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line[:column]`
    public var description: String { "\(file):\(line)" + (column.map { ":\($0)" } ?? "") }
}

/// One thing wrong with the input, printed as `file:line[:column]: field: message`.
public struct Problem: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// The field (or XML element) at fault, or nil for the record or file as a whole.
    public var field: String?
    public var message: String

    public init(_ location: SourceLocation, field: String?, _ message: String) {
        self.location = location
        self.field = field
        self.message = message
    }

    public var description: String { "\(location): \(field.map { "\($0): " } ?? "")\(message)" }
}
