/// RFC 4648 Base32, as authenticator apps use it for secrets.
///
/// Decoding is strict about content (only A–Z, 2–7, trailing `=`) but tolerant of the
/// way people type a secret off a sheet: lowercase, spaces and hyphens between groups,
/// and missing padding.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, symbol) in alphabet.enumerated() {
            table[Int(symbol)] = UInt8(value)
            table[Int(symbol) | 0x20] = UInt8(value)  // lowercase
        }
        for digit in UInt8(ascii: "2")...UInt8(ascii: "7") {
            table[Int(digit)] = UInt8(digit - UInt8(ascii: "2") + 26)
        }
        return table
    }()

    /// Encodes `bytes`; without padding by default, as otpauth URIs want it.
    public static func encode(_ bytes: some Collection<UInt8>, padded: Bool = false) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 8 + 4) / 5 + 6)
        var buffer: UInt64 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt64(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt64(bits)) & 0x1F)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt64(5 - bits)) & 0x1F)])
        }
        if padded {
            while output.count % 8 != 0 { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a secret as typed or printed. Positions in errors count characters of
    /// `text` from 1, spaces included, so a person can find the culprit.
    public static func decode(_ text: String) throws(OTPError) -> [UInt8] {
        var values = [UInt8]()
        values.reserveCapacity(text.utf8.count)
        var paddingStart: Int?
        for (index, character) in text.enumerated() {
            let position = index + 1
            if character == " " || character == "-" || character == "\t" { continue }
            if character == "=" {
                if paddingStart == nil { paddingStart = position }
                continue
            }
            if let start = paddingStart { throw .misplacedBase32Padding(position: start) }
            guard let ascii = character.asciiValue, decodeTable[Int(ascii)] != 0xFF else {
                throw .invalidBase32Character(character, position: position)
            }
            values.append(decodeTable[Int(ascii)])
        }
        guard !values.isEmpty else { throw .emptySecret }
        // 8 symbols carry 5 bytes; remainders of 1, 3 or 6 symbols encode no whole byte.
        guard ![1, 3, 6].contains(values.count % 8) else {
            throw .invalidBase32Length(values.count)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 5 / 8)
        var buffer: UInt64 = 0
        var bits = 0
        for value in values {
            buffer = (buffer << 5) | UInt64(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> UInt64(bits)) & 0xFF))
            }
        }
        return bytes
    }

    /// The encoding printed for manual entry: groups of four, separated by spaces.
    public static func grouped(_ encoded: String, size: Int = 4) -> String {
        var groups = [Substring]()
        var rest = Substring(encoded)
        while !rest.isEmpty {
            groups.append(rest.prefix(size))
            rest = rest.dropFirst(size)
        }
        return groups.joined(separator: " ")
    }
}
