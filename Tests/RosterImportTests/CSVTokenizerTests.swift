import Foundation
import TestSupport
import Testing

@testable import RosterImport

@Suite("CSV tokenizer (RFC 4180)")
struct CSVTokenizerTests {
    func records(_ text: String) throws -> [CSVTokenizer.Record] {
        try records(Data(text.utf8))
    }

    func records(_ data: Data) throws -> [CSVTokenizer.Record] {
        let folder = try TemporaryDirectory("csv")
        let path = try folder.write("t.csv", data)
        var tokenizer = CSVTokenizer(input: try FileInput(path: path))
        var result: [CSVTokenizer.Record] = []
        var record = CSVTokenizer.Record()
        while try tokenizer.next(into: &record) { result.append(record) }
        return result
    }

    @Test("quoted fields hold commas, doubled quotes and line breaks; lines are counted through them")
    func quoting() throws {
        let result = try records("a,\"b,c\",\"say \"\"hi\"\"\"\n\"multi\nline\",x,\"\"\nlast,,end")
        #expect(result.map(\.fields) == [["a", "b,c", "say \"hi\""], ["multi\nline", "x", ""], ["last", "", "end"]])
        #expect(result.map(\.line) == [1, 2, 4])
    }

    @Test("CRLF and LF alike, a BOM skipped, blank lines skipped, no final newline needed", arguments: ["\r\n", "\n"])
    func lineEnds(end: String) throws {
        let result = try records("\u{FEFF}h1,h2\(end)\(end)a,b\(end)c,d")
        #expect(result.map(\.fields) == [["h1", "h2"], ["a", "b"], ["c", "d"]])
        #expect(result.map(\.line) == [1, 3, 4])
    }

    @Test("a record crossing the 1 MiB chunk boundary is read whole")
    func chunkBoundary() throws {
        let filler = String(repeating: "y", count: 3000)
        var text = ""
        var expected: [[String]] = []
        while text.utf8.count < CSVTokenizer.chunkSize + 10_000 {
            text += "\"\(filler)\",q\"\"uote\n".replacingOccurrences(of: "q\"\"uote", with: "\"q\"\"uote\"")
            expected.append([filler, "q\"uote"])
        }
        #expect(try records(text).map(\.fields) == expected)
    }

    @Test("problems: NUL, invalid UTF-8 with its byte offset, an over-long field, text after a closing quote")
    func problems() throws {
        var data = Data("ok,a\u{0}b\n".utf8)
        data.append(contentsOf: [0x61, 0x2C, 0xE2, 0x28, 0xA1, 0x0A])  // line 2: "a,<bad>"
        data.append(Data(("\(String(repeating: "z", count: 5000)),\"x\"y\n").utf8))
        let result = try records(data)
        #expect(result[0].problems.map(\.message) == ["NUL byte at byte offset 4"])
        #expect(result[1].problems.map(\.message) == ["invalid UTF-8 at byte offset 9"])
        #expect(result[2].problems.map(\.message) == ["longer than 4096 bytes", "text after the closing quote; quote the whole field"])
    }

    @Test("an unterminated quote ends the file with a problem naming the line it opened on")
    func unterminated() throws {
        let folder = try TemporaryDirectory("csv")
        var tokenizer = CSVTokenizer(input: try FileInput(path: try folder.write("t.csv", "a,b\nc,\"d\ne,f\n")))
        var record = CSVTokenizer.Record()
        #expect(try tokenizer.next(into: &record))
        #expect(record.fields == ["a", "b"])
        _ = try tokenizer.next(into: &record)
        #expect(tokenizer.fileProblem?.line == 2)
    }

    @Test func invalidUTF8Offsets() {
        func offset(_ bytes: [UInt8]) -> Int? { bytes.withUnsafeBufferPointer { invalidUTF8Offset($0) } }
        #expect(offset(Array("abc é € 𝄞".utf8)) == nil)
        #expect(offset([0x61, 0xFF]) == 1)
        #expect(offset([0xC3, 0xA9, 0xC3]) == 2)  // cut short
        #expect(offset([0xED, 0xA0, 0x80]) == 0)  // a UTF-16 surrogate
        #expect(offset([0x61, 0xC0, 0xAF]) == 1)  // an overlong '/'
        #expect(offset([0xE0, 0x80, 0xAF]) == 0)  // another
        #expect(offset([0xF4, 0x90, 0x80, 0x80]) == 0)  // above U+10FFFF
        #expect(offset([0xE2, 0x82, 0x41]) == 0)  // a continuation byte missing
        #expect(offset([0x80]) == 0)  // a continuation byte alone
    }
}
