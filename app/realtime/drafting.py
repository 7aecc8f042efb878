NAMESPACE = "/draft"
