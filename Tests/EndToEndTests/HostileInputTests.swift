import Foundation
import TestSupport
import Testing

/// Each hostile file is refused with exit 3 and a message naming the file and line, and
/// the store's bytes are exactly what they were.
@Suite("mfa-import: hostile files")
struct HostileInputTests {
    let workspace: ToolWorkspace
    /// A file whose content must never appear anywhere, for the external-entity case.
    let secret = "TOP-SECRET-\(UUID().uuidString)"

    init() throws {
        workspace = try ToolWorkspace("hostile")
        // A store with content, so "untouched" means something.
        let sample = try workspace.copySample("users-gp-practices.csv")
        let imported = try workspace.run("mfa-import", [sample, "--quiet"])
        precondition(imported.status == 0, imported.stderr)
        try workspace.folder.write("secret.txt", secret)
    }

    static let namespace = "urn:inhealthcare:mfa:user-list:1"
    static let user = "<user><organisation>A81001</organisation><environment>Live</environment><username>x@nhs.net</username><displayName>X</displayName></user>"

    /// (file name, content, text the error must contain)
    static func cases(secretPath: String) -> [(String, Data, String)] {
        let header = "Organisation,Environment,Username,Display Name\n"
        return [
            ("not-well-formed.xml", Data("<userList xmlns=\"\(namespace)\" version=\"1\">\n<user><username>x</user>\n</userList>".utf8),
             "not-well-formed.xml:2:"),
            ("xxe.xml", Data("<?xml version=\"1.0\"?>\n<!DOCTYPE userList [\n<!ENTITY secret SYSTEM \"file://\(secretPath)\">\n]>\n<userList xmlns=\"\(namespace)\" version=\"1\"><user><organisation>A81001</organisation><environment>Live</environment><username>x@nhs.net</username><displayName>&secret;</displayName></user></userList>".utf8),
             "xxe.xml:2: a DOCTYPE declaration is not allowed"),
            ("bomb.xml", Data(("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n" + (1...9).map { "<!ENTITY lol\($0) \"" + String(repeating: "&lol\($0 - 1 == 0 ? "" : String($0 - 1));", count: 10) + "\">" }.joined(separator: "\n") + "\n]>\n<userList xmlns=\"\(namespace)\" version=\"1\">&lol9;</userList>").utf8),
             "bomb.xml:2: a DOCTYPE declaration is not allowed"),
            ("schema.xml", Data("<userList xmlns=\"\(namespace)\" version=\"1\">\n\(user)\n<user><organisation>A81001</organisation><username>y@nhs.net</username><displayName>Y</displayName><userType>robot</userType></user>\n</userList>".utf8),
             "schema.xml:3: user_type:"),
            ("schema-order.xml", Data("<userList xmlns=\"\(namespace)\" version=\"1\">\n\(user)\n<user><organisation>A81001</organisation><environment>Live</environment><displayName>Y</displayName><username>y@nhs.net</username></user>\n</userList>".utf8),
             "schema-order.xml:3: display_name: This element is not expected."),
            ("wrong-namespace.xml", Data("<userList xmlns=\"urn:other\" version=\"1\">\(user)</userList>".utf8), "wrong-namespace.xml:1:"),
            ("unterminated.csv", Data((header + "A81001,Live,a@nhs.net,A\nA81001,Live,b@nhs.net,\"B\n").utf8),
             "unterminated.csv:3: unterminated quoted field"),
            ("nul.csv", Data((header + "A81001,Live,a@nhs.net,A\u{0}B\n").utf8), "nul.csv:2: display_name: NUL byte at byte offset 70"),
            ("utf8.csv", Data(header.utf8) + Data([0x41, 0x38, 0x31, 0x30, 0x30, 0x31, 0x2C, 0x4C, 0x69, 0x76, 0x65, 0x2C, 0x61, 0x40, 0x62, 0x2E, 0x63, 0x2C, 0xC3, 0x28, 0x0A]),
             "utf8.csv:2: display_name: invalid UTF-8 at byte offset 65"),
            ("huge-field.csv", Data((header + "A81001,Live,a@nhs.net," + String(repeating: "x", count: 10 * 1024 * 1024) + "\n").utf8),
             "huge-field.csv:2: display_name: longer than 4096 bytes"),
            ("header-only.csv", Data(header.utf8), "header-only.csv:1: no user records"),
            ("empty.csv", Data(), "empty.csv:1: the file is empty"),
            ("empty.xml", Data(), "empty.xml:1: the file is empty"),
            ("utf16.csv", Data([0xFF, 0xFE]) + header.data(using: .utf16LittleEndian)!, "utf16.csv:1: the file is UTF-16"),
        ]
    }

    @Test("refused with exit 3, file and line, and the store byte for byte as it was", arguments: 0..<14)
    func refused(index: Int) throws {
        let (name, content, expected) = Self.cases(secretPath: workspace.folder.path("secret.txt"))[index]
        let file = try workspace.folder.write(name, content)
        let before = workspace.storeBytes()
        let dump = try workspace.dump()
        let started = Date()
        let result = try workspace.run("mfa-import", [file])
        #expect(result.status == 3, "\(name): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(name): \(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        #expect(Date().timeIntervalSince(started) < 10, "\(name) took too long")
        #expect(workspace.storeBytes() == before, "\(name) changed the store's bytes")
        #expect(try workspace.dump() == dump)
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        #expect(!dump.contains(secret))
    }
}
