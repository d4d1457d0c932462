/// Fast paths for the normalisations a million-row import applies to every field.
/// Foundation's `trimmingCharacters` and `lowercased` go through general Unicode
/// machinery even for plain ASCII, which dominated import time.
extension String {
    /// Without leading and trailing spaces, tabs and line breaks; `self` when there are none.
    public var trimmedWhitespace: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        guard Self.isWhitespace(first) || Self.isWhitespace(last) else { return self }
        guard let start = utf8.firstIndex(where: { !Self.isWhitespace($0) }) else { return "" }
        let end = utf8.lastIndex(where: { !Self.isWhitespace($0) })!
        return String(self[start...end])
    }

    /// UTF-8 `bytes` as a string without the whitespace around it, or nil when nothing
    /// else is left: a reader trims each field as it makes its string, not after.
    public static func trimmedWhitespace(decoding bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let trimmed = bytes.trimmingWhitespace
        return trimmed.isEmpty ? nil : String(decoding: trimmed, as: UTF8.self)
    }

    /// Space, tab or line break: what `trimmedWhitespace` removes.
    @inlinable
    public static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Lower case; for ASCII text without capitals, `self` at no cost.
    public var lowercasedFast: String {
        if allUTF8({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }) { return self }
        return lowercased()
    }

    /// Upper case; for ASCII text without small letters, `self` at no cost.
    public var uppercasedFast: String {
        if allUTF8({ $0 < 0x80 && !($0 >= 0x61 && $0 <= 0x7A) }) { return self }
        return uppercased()
    }

    /// Whether every UTF-8 byte satisfies `predicate`, looping over the string's storage
    /// directly where it can: the validator asks this of every field of a million rows.
    @inlinable
    public func allUTF8(_ predicate: (UInt8) -> Bool) -> Bool {
        if let result = utf8.withContiguousStorageIfAvailable({ bytes in
            for byte in bytes where !predicate(byte) { return false }
            return true
        }) {
            return result
        }
        return utf8.allSatisfy(predicate)
    }
}

extension StringProtocol {
    /// `body` of the text's UTF-8 bytes less the white space around them.
    @inlinable
    public func withTrimmedUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> R { body(bytes.trimmingWhitespace) }
        return utf8.withContiguousStorageIfAvailable(trimmed) ?? Array(utf8).withUnsafeBufferPointer(trimmed)
    }

    /// Lower-case letters and digits only: how names people type are matched, so
    /// `E-mail`, `e_mail` and `EMAIL`, or `Organisation Admin` and `organisationadmin`,
    /// are the same.
    public var matchingKey: String {
        String(String(self).lowercasedFast.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// These bytes less the white space (`String.isWhitespace`) around them.
    @inlinable
    public var trimmingWhitespace: UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = count
        while start < end && String.isWhitespace(self[start]) { start += 1 }
        while end > start && String.isWhitespace(self[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: self[start..<end])
    }
}
