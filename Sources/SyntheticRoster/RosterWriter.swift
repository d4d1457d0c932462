import Foundation

/// Writes synthetic rosters in the formats `mfa-import` reads, streaming to a file.
public enum RosterWriter {
    public enum Format: String, CaseIterable, Sendable { case csv, xml }

    public static func write(_ roster: RosterGenerator, format: Format, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        func flush(force: Bool = false) throws {
            if force || buffer.utf8.count >= 1 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        switch format {
        case .csv:
            buffer += "Organisation,Environment,Username,Email,Given Name,Family Name,Roles,User Type,Status\r\n"
            for user in roster {
                let fields = [
                    user.organisation, user.environment, user.username, user.email, user.givenName, user.familyName,
                    user.roles.joined(separator: ";"), user.userType, user.status,
                ]
                buffer += fields.map(csvField).joined(separator: ",") + "\r\n"
                try flush()
            }
        case .xml:
            buffer += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<userList xmlns=\"\(xmlNamespace)\" version=\"1\">\n"
            for user in roster {
                buffer += "  <user>\n"
                buffer += "    <organisation>\(xmlText(user.organisation))</organisation>\n"
                buffer += "    <environment>\(user.environment)</environment>\n"
                buffer += "    <username>\(xmlText(user.username))</username>\n"
                buffer += "    <email>\(xmlText(user.email))</email>\n"
                buffer += "    <givenName>\(xmlText(user.givenName))</givenName>\n"
                buffer += "    <familyName>\(xmlText(user.familyName))</familyName>\n"
                if !user.roles.isEmpty {
                    buffer += "    <roles>" + user.roles.map { "<role>\(xmlText($0))</role>" }.joined() + "</roles>\n"
                }
                buffer += "    <userType>\(user.userType)</userType>\n"
                buffer += "    <status>\(user.status)</status>\n"
                buffer += "  </user>\n"
                try flush()
            }
            buffer += "</userList>\n"
        }
        try flush(force: true)
    }

    public static let xmlNamespace = "urn:inhealthcare:mfa:user-list:1"

    static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func xmlText(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            return text
        }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
