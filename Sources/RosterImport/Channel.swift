import Foundation

/// A bounded queue between one producer thread and one consumer, so a fast reader
/// cannot run ahead of the database by more than `capacity` batches.
final class Channel<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Received items are taken out of their slots, so the receiver holds the only
    /// reference to what they hold and can change it without copying it.
    private var items: [Element?] = []
    private var head = 0
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false when the consumer has cancelled and the producer should stop.
    @discardableResult
    func send(_ item: consuming Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for an item; nil once the channel is cancelled, since a producer stops
    /// sending then, and a consumer waiting for it would wait for ever.
    func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !cancelled { condition.wait() }
        guard !cancelled else { return nil }
        let item = items[head].take()!
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// Stops both ends: `send` returns false and `receive` nil from now on.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Values handed back by the thread that applies records, the import's bottleneck, to be
/// freed on an earlier stage's thread: glibc frees another thread's allocations slowly,
/// through that thread's arena and its lock.
final class ReturnQueue<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []

    func put(_ item: consuming Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    /// Frees everything handed back so far, on the calling thread.
    func drain() {
        let taken = lock.withLock {
            defer { items = [] }
            return items
        }
        withExtendedLifetime(taken) {}
    }
}

/// Records on their way from one stage to the next. Each is taken out of its slot when
/// used, so the receiving stage owns it outright, where reading it from an array would
/// copy it: a retain and a release of each of its strings.
struct Batch<Element: Sendable>: Sendable {
    private var slots: [Element?] = []

    init(capacity: Int) { slots.reserveCapacity(capacity) }

    var count: Int { slots.count }

    mutating func append(_ element: consuming Element) { slots.append(element) }

    /// Hands `body` each element in order, moved out, leaving the batch empty.
    mutating func removeEach(_ body: (consuming Element) throws -> Void) rethrows {
        for index in slots.indices { try body(slots[index].take()!) }
        slots.removeAll(keepingCapacity: true)
    }
}

/// A thread running one stage of an import, whose end the stage that started it waits
/// for with `join`.
final class StageThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [finished] in
            body()
            finished.signal()
        }
        // libxml2's parser, which runs on one of these, recurses once per level of nesting.
        thread.stackSize = 1 << 22
        thread.start()
    }

    func join() { finished.wait() }
}
