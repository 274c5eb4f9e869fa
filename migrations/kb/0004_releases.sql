CREATE TABLE `answer_settings` (
	`scope` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `kb_releases` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`state` text NOT NULL,
	`stable_version` integer NOT NULL,
	`candidate_version` integer NOT NULL,
	`percent` integer NOT NULL,
	`guard` text NOT NULL,
	`changes` text,
	`articles` integer DEFAULT 0 NOT NULL,
	`opened_at` integer NOT NULL,
	`opened_by` text NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`reason` text,
	`comparison` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `kb_releases_one_open` ON `kb_releases` (`state`) WHERE state = 'canary';--> statement-breakpoint
CREATE INDEX `kb_releases_opened_at` ON `kb_releases` (`opened_at`);--> statement-breakpoint
CREATE TABLE `staged_articles` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` text NOT NULL,
	`slug` text NOT NULL,
	`locale` text NOT NULL,
	`title` text NOT NULL,
	`answer` text NOT NULL,
	`tags` text NOT NULL,
	`questions` text NOT NULL,
	`status` text NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	`release_id` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staged_articles_article_release` ON `staged_articles` (`article_id`,`release_id`);--> statement-breakpoint
CREATE INDEX `staged_articles_release_version` ON `staged_articles` (`release_id`,`version`);