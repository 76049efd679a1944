"""Linear connector over GraphQL (gql), validated against Linear's published schema."""
