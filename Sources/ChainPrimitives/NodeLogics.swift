/// The versions of node logic by name, here so every layer's messages can list them; Rollout adds the
/// logic itself (`NodeLogics.named`).
public enum NodeLogics {
    public static let versions = ["v1", "v2"]
}
