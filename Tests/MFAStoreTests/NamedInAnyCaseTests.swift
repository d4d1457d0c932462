import Foundation
import MFAStore
import Testing

/// Environments, user types and statuses are matched byte by byte with ASCII case folded;
/// these tests hold that to Unicode's lower-casing of the trimmed text, the rule it replaced.
@Suite("names in any case: environments, user types, statuses")
struct NamedInAnyCaseTests {
    static let texts: [String] = {
        var texts = ["", " ", "\t\n", "x", "\u{212A}", "\u{0130}", "ＬＩＶＥ", "Live\u{00A0}", "\u{00A0}Live", "li ve", "live\0", "lĩve"]
        for name in Environment.allCases.map(\.rawValue) + UserType.allCases.map(\.rawValue) + LoginStatus.allCases.map(\.rawValue) {
            texts += [name, name.uppercased(), name.capitalized, " \(name)\t\r\n", String(name.dropLast()), name + "s", name + " x"]
            // Every single letter in upper case, so each byte's folding is tried.
            for index in name.indices {
                texts.append(name.replacingCharacters(in: index...index, with: name[index].uppercased()))
            }
        }
        return texts
    }()

    @Test("the same case as Unicode lower-casing of the trimmed text, for every sample")
    func sameAsUnicodeLowercasing() {
        for text in Self.texts {
            let trimmed = text.trimmedWhitespace.lowercased()
            #expect(Environment(parsing: text) == Environment(rawValue: trimmed), "\(text.debugDescription)")
            #expect(UserType(parsing: text) == UserType(rawValue: trimmed), "\(text.debugDescription)")
            #expect(LoginStatus(parsing: text) == LoginStatus(rawValue: trimmed), "\(text.debugDescription)")
            #expect(Environment(parsing: text[...]) == Environment(parsing: text))
        }
    }

    @Test("only A–Z and the Kelvin sign lower-case to ASCII letters alone, and no name holds a k")
    func asciiFoldingSuffices() {
        let names = (Environment.allCases.map(\.rawValue) + UserType.allCases.map(\.rawValue) + LoginStatus.allCases.map(\.rawValue))
        #expect(names.allSatisfy { $0 == $0.lowercased() && $0.allSatisfy(\.isASCII) && !$0.contains("k") })
        var foldingToASCII: [UInt32] = []
        for value in UInt32(0x80)...0x1_FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let lower = scalar.properties.lowercaseMapping
            if lower.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) { foldingToASCII.append(value) }
        }
        #expect(foldingToASCII == [0x212A])
    }
}
