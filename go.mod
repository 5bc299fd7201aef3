module github.com/kedja/kedja

go 1.26.8

require (
	github.com/graphql-go/graphql v0.8.1
	github.com/jmoiron/sqlx v1.4.0
	github.com/lib/pq v1.12.0
)

require (
	github.com/robfig/cron/v3 v3.0.1 // indirect
	golang.org/x/time v0.8.0 // indirect
)
