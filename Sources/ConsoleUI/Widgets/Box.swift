/// A bordered box with a title; returns the inside for the content.
public enum Box {
    @discardableResult
    public static func draw(_ title: String, in rect: Rect, focused: Bool = false, into b: inout ScreenBuffer, ascii: Bool = false) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let border = Style(focused ? .focus : .border, bold: focused)
        let (h, v, tl, tr, bl, br) = ascii ? ("-", "|", "+", "+", "+", "+") : ("─", "│", "┌", "┐", "└", "┘")
        b.put(tl + String(repeating: h, count: rect.width - 2) + tr, x: rect.x, y: rect.y, style: border)
        for row in 1..<(rect.height - 1) {
            b.put(v, x: rect.x, y: rect.y + row, style: border)
            b.put(v, x: rect.maxX - 1, y: rect.y + row, style: border)
        }
        b.put(bl + String(repeating: h, count: rect.width - 2) + br, x: rect.x, y: rect.maxY - 1, style: border)
        if !title.isEmpty, rect.width > 4 {
            b.put(" \(title) ", x: rect.x + 2, y: rect.y, style: Style(focused ? .focus : .title, bold: true), limit: rect.width - 4)
        }
        b.fill(rect.inner)
        return rect.inner
    }
}
