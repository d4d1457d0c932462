/// A source of user records from one file.
protocol UserListReader: AnyObject {
    /// Reads the file to its end, handing over each record as it is read; `deliver`
    /// returns false to stop early.
    func readRecords(_ deliver: (consuming RawUserRecord) -> Bool) throws(ImportError)
    /// Problems with the file as a whole (its header, its structure), found so far.
    var fileProblems: [Problem] { get }
    /// Notes for the user that are not problems (ignored columns).
    var notes: [String] { get }
    var input: FileInput { get }
    /// The file's bytes read by the time the last record handed over was read.
    var bytesDelivered: Int64 { get }
}

public enum UserListFormat: String, CaseIterable, Sendable {
    case csv, xml

    /// From the file's extension, or nil if it says nothing.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") {
            self = .csv
        } else if lower.hasSuffix(".xml") {
            self = .xml
        } else {
            return nil
        }
    }
}
