/// A rectangle of cells. Layout splits rectangles into rectangles and does nothing else.
public struct Rect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }

    /// The inside of a bordered box.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }

    /// Top `n` rows and the rest.
    public func splitTop(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
    }

    /// Bottom `n` rows and the rest (rest first).
    public func splitBottom(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: height - n), Rect(x: x, y: y + height - n, width: width, height: n))
    }

    /// Left `n` columns and the rest.
    public func splitLeft(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), width)
        return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
    }

    /// Rows in proportion to `weights`, the last taking what rounding leaves.
    public func rows(_ weights: [Int]) -> [Rect] {
        let total = max(1, weights.reduce(0, +))
        var out: [Rect] = []
        var top = y
        for (i, w) in weights.enumerated() {
            let h = i == weights.count - 1 ? maxY - top : height * w / total
            out.append(Rect(x: x, y: top, width: width, height: h))
            top += h
        }
        return out
    }
}
