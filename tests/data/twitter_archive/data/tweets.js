window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1051234567890123776"
          ],
          "editableUntil" : "2018-10-09T17:11:04.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "MeToo",
            "indices" : [
              "0",
              "6"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "108"
      ],
      "favorite_count" : "12",
      "id_str" : "1051234567890123776",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1051234567890123776",
      "created_at" : "Sat Oct 13 14:02:11 +0000 2018",
      "favorited" : false,
      "full_text" : "#MeToo because my manager at my first job cornered me in the stockroom. I was 19 and said nothing for years.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1051240000000000001"
          ],
          "editableUntil" : "2018-10-09T17:11:04.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "MeToo",
            "indices" : [
              "0",
              "6"
            ]
          },
          {
            "text" : "IBelieveHer",
            "indices" : [
              "0",
              "6"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Survivor_Voices",
            "screen_name" : "survivor_voices",
            "indices" : [
              "3",
              "12"
            ],
            "id_str" : "900",
            "id" : "900"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "74"
      ],
      "favorite_count" : "0",
      "id_str" : "1051240000000000001",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1051240000000000001",
      "created_at" : "Sat Oct 13 14:20:00 +0000 2018",
      "favorited" : false,
      "full_text" : "RT @survivor_voices: We believe you. Every one of you. #MeToo #IBelieveHer",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1051250000000000002"
          ],
          "editableUntil" : "2018-10-09T17:11:04.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Newsdesk_Example",
            "screen_name" : "newsdesk_example",
            "indices" : [
              "3",
              "12"
            ],
            "id_str" : "900",
            "id" : "900"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "95"
      ],
      "favorite_count" : "0",
      "id_str" : "1051250000000000002",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1051250000000000002",
      "created_at" : "Sat Oct 13 15:00:00 +0000 2018",
      "favorited" : false,
      "full_text" : "@newsdesk_example Thank you for reporting this &amp; naming the pattern, not only the one case.",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1051249000000000000",
      "in_reply_to_status_id" : "1051249000000000000",
      "in_reply_to_user_id" : "777",
      "in_reply_to_user_id_str" : "777",
      "in_reply_to_screen_name" : "newsdesk_example"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1051260000000000003"
          ],
          "editableUntil" : "2018-10-09T17:11:04.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "MeToo",
            "indices" : [
              "0",
              "6"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : [
          {
            "url" : "https://t.co/abc123",
            "expanded_url" : "https://www.example.org/2018/10/13/hearing",
            "display_url" : "www.example.org/2018/1",
            "indices" : [
              "40",
              "63"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "63"
      ],
      "favorite_count" : "4",
      "id_str" : "1051260000000000003",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1051260000000000003",
      "created_at" : "Sat Oct 13 16:30:00 +0000 2018",
      "favorited" : false,
      "full_text" : "Reading the hearing coverage tonight https://t.co/abc123 #MeToo",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1051270000000000004"
          ],
          "editableUntil" : "2018-10-09T17:11:04.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "YoTambién",
            "indices" : [
              "0",
              "6"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "34"
      ],
      "favorite_count" : "0",
      "id_str" : "1051270000000000004",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1051270000000000004",
      "created_at" : "Sat Oct 13 17:45:00 +0000 2018",
      "favorited" : false,
      "full_text" : "#YoTambién nadie debería callarse.",
      "lang" : "es"
    }
  }
]